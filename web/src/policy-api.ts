/**
 * @module The staff "Privacy notice" screen's calls: published versions, the record of processing (ROPA) as a
 * file, and publishing the loaded policy file as a new notice version.
 */
import { apiRequest, filenameFrom, send } from './api.ts';

export type NamedPurpose = { id: string; name: string };

export type PublishState = 'ready' | 'published' | 'older' | 'other-policy' | 'no-change-entry';

export type PolicyVersion = {
  version: number;
  effectiveDate: string;
  material: boolean;
  summary: string;
  newPurposes: NamedPurpose[];
  publishedAt: string;
  notified: number;
};

export type PolicyPublishing = {
  loaded: {
    id: string;
    title: string;
    version: number;
    effectiveDate: string;
    change: { material: boolean; summary: string; newPurposes: NamedPurpose[] } | null;
  };
  publishState: PublishState;
  publishedPolicyId: string | null;
  /** People a material change notice would be e-mailed to today. */
  recipients: number;
  versions: PolicyVersion[];
};

export type PublishResult = { version: number; material: boolean; newPurposes: string[]; notified: number };

export type RopaFormat = 'xlsx' | 'csv';

export const policyApi = {
  versions: (): Promise<PolicyPublishing> => apiRequest('GET', '/api/policy/versions'),

  /** Fetched as a file rather than navigated to, so a refusal shows on the page instead of replacing it. */
  ropa: async (format: RopaFormat): Promise<{ blob: Blob; filename: string }> => {
    const response = await send('GET', `/api/policy/ropa?format=${format}`);
    const filename = filenameFrom(response.headers.get('content-disposition'), `record-of-processing.${format}`);
    return { blob: await response.blob(), filename };
  },

  publish: (): Promise<PublishResult> => apiRequest('POST', '/api/policy/publish'),
};

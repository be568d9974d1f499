/**
 * @module Reads a policy file and derives what the kernel's decision function needs from it, so what is enforced
 * is exactly what the notice discloses.
 *
 * @example
 * const file = loadPolicyFile('policies/answering-service.yaml')
 * const kernel = await createKernel(config, { policy: toDecisionPolicy(file) })
 */
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { AppError } from '../kernel/errors.ts';
import type { Policy, PurposeRule } from '../kernel/policy/policy.ts';
import { LEGAL_BASES } from './dpv.ts';
import { checkPolicyText, formatIssue } from './policy-check.ts';
import type { PolicyFile } from './policy-schema.ts';

export const POLICIES_DIR = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..', 'policies');
export const DEFAULT_POLICY_FILE = path.join(POLICIES_DIR, 'answering-service.yaml');
export const EXAMPLE_POLICIES = [
  'answering-service',
  'contact-centre-saas',
  'conferencing-vendor',
  'cloud-phone',
  'virtual-office',
] as const;

export type LoadedPolicy = { file: PolicyFile; source: string; path: string };

/** Parses and checks policy text; an invalid file is refused with every problem listed in `details.issues`. */
export const parsePolicy = (source: string, name = 'policy'): PolicyFile => {
  const result = checkPolicyText(source);
  if (!result.ok) {
    throw new AppError(
      'VALIDATION_FAILED',
      `The policy file ${name} is not valid (${result.issues.length} problem${result.issues.length === 1 ? '' : 's'})`,
      {
        issues: result.issues.map((i) => formatIssue(name, i)),
      },
    );
  }

  return result.policy;
};

export const loadPolicyFile = (file: string): LoadedPolicy => {
  let source: string;
  try {
    source = fs.readFileSync(file, 'utf8');
  } catch {
    throw new AppError('NOT_FOUND', `No policy file at ${file}`);
  }

  return { file: parsePolicy(source, path.basename(file)), source, path: file };
};

/** The decision function's view of a policy file: each purpose's legal basis and categories, and new purposes. */
export const toDecisionPolicy = (file: PolicyFile): Policy => {
  const purposes: Record<string, PurposeRule> = {};
  for (const p of file.purposes) {
    purposes[p.id] = {
      legalBasis: LEGAL_BASES[p.legalBasis].kernel,
      categories: [...p.categories],
      directMarketing: p.directMarketing,
      description: p.description,
    };
  }
  const newPurposes: Record<string, { version: number; effectiveDate: string }> = {};
  for (const change of file.changes) {
    for (const purpose of change.newPurposes)
      newPurposes[purpose] ??= { version: change.version, effectiveDate: change.date };
  }

  return { id: file.id, version: file.version, purposes, newPurposes };
};

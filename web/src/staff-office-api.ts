/**
 * @module The staff side of the virtual office: phone messages, post and caller verification (CP-2).
 */
import { apiRequest } from './api.ts';

const accountPath = (accountId: string): string => `/api/accounts/${encodeURIComponent(accountId)}`;

export type Urgency = 'normal' | 'urgent';

export type MessageInput = {
  callerName: string;
  company?: string;
  phone?: string;
  email?: string;
  reason?: string;
  message: string;
  urgency: Urgency;
  callbackRequested: boolean;
  callAt?: string;
  idempotencyKey: string;
};

export type MessageReceipt = {
  messageId: string;
  callerSubjectId: string;
  linkedExisting: boolean;
  urgency: Urgency;
  notifications: number;
  replayed: boolean;
};

export type EarlierMessage = {
  id: string;
  company: string | null;
  reason: string | null;
  body: string | null;
  urgency: Urgency;
  callbackRequested: boolean;
  callAt: string;
};

export type KnownCaller = {
  caller: { subjectId: string; name: string | null; phone: string | null; email: string | null } | null;
  messages: EarlierMessage[];
};

export type Delivery = {
  id: string;
  recipient: string | null;
  role: string | null;
  channel: 'email' | 'sms';
  status: 'queued' | 'sent' | 'failed';
  attempts: number;
  sentAt: string | null;
};

export type PostStatus = 'received' | 'awaiting_instruction' | 'forwarded' | 'collected' | 'scanned' | 'shredded';
export type ItemType = 'letter' | 'parcel' | 'recorded' | 'legal';

export type PostItem = {
  id: string;
  sender: string | null;
  itemType: ItemType;
  trackingNumber: string | null;
  receivedAt: string;
  status: PostStatus;
  files: { id: string; mediaType: string; sizeBytes: number }[];
  events: { status: PostStatus; at: string; by: string }[];
};

export type VerificationSetup = {
  policyText: string[];
  factors: { id: 'email' | 'phone'; label: string }[];
  users: { userId: string; name: string | null; role: string }[];
};

export type VerificationResult = {
  verificationId: string;
  outcome: 'pass' | 'fail';
  factors: ('email' | 'phone')[];
  expiresAt: string | null;
};

export type AccountDetails = {
  account: { name: string; status: string; createdAt: string; subscribedAt: string | null; cancelledAt: string | null };
  caller: { userId: string; role: string; name: string | null; email: string | null; phone: string | null };
  counts: { messages: number; post: number };
  verifiedUntil: string;
};

export const officeApi = {
  takeMessage: (accountId: string, input: MessageInput): Promise<MessageReceipt> =>
    apiRequest('POST', `${accountPath(accountId)}/messages`, input),

  findCaller: (accountId: string, by: { phone?: string; email?: string }): Promise<KnownCaller> => {
    const query = new URLSearchParams(Object.entries(by).filter(([, v]) => v) as [string, string][]);
    return apiRequest('GET', `${accountPath(accountId)}/callers?${query}`);
  },

  deliveries: async (accountId: string, messageId: string): Promise<Delivery[]> =>
    (
      await apiRequest<{ deliveries: Delivery[] }>(
        'GET',
        `${accountPath(accountId)}/messages/${encodeURIComponent(messageId)}/deliveries`,
      )
    ).deliveries,

  logPost: (
    accountId: string,
    form: FormData,
  ): Promise<{ postItemId: string; fileId: string | null; replayed: boolean }> =>
    apiRequest('POST', `${accountPath(accountId)}/post`, form),

  listPost: async (accountId: string): Promise<PostItem[]> =>
    (await apiRequest<{ items: PostItem[] }>('GET', `${accountPath(accountId)}/post?limit=50`)).items,

  changePostStatus: (accountId: string, postItemId: string, status: PostStatus) =>
    apiRequest<{ status: PostStatus }>(
      'POST',
      `${accountPath(accountId)}/post/${encodeURIComponent(postItemId)}/status`,
      { status },
    ),

  fileUrl: (accountId: string, postItemId: string, fileId: string): string =>
    `${accountPath(accountId)}/post/${encodeURIComponent(postItemId)}/files/${encodeURIComponent(fileId)}`,

  verificationSetup: (accountId: string): Promise<VerificationSetup> =>
    apiRequest('GET', `${accountPath(accountId)}/verifications/setup`),

  verify: (
    accountId: string,
    clientUserId: string,
    answers: { email?: string; phone?: string },
  ): Promise<VerificationResult> =>
    apiRequest('POST', `${accountPath(accountId)}/verifications`, { clientUserId, answers }),

  accountDetails: (accountId: string, verificationId: string): Promise<AccountDetails> =>
    apiRequest('GET', `${accountPath(accountId)}/account-details?verification=${encodeURIComponent(verificationId)}`),
};

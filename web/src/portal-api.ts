/**
 * @module The client portal's calls: inbox, items, colleagues, notifications, export, delete-all and the account's
 * lifecycle. Built on `request`/`send` from api.ts, so CSRF and error handling are the same everywhere.
 */
import { ApiError, filenameFrom, request, send } from './api.ts';

export type AccessLevel = 'none' | 'view' | 'act';
export type ItemKind = 'message' | 'post';
export type ItemState = 'unread' | 'read' | 'actioned';

export type InboxEntry = {
  kind: ItemKind;
  id: string;
  at: string;
  urgency: 'normal' | 'urgent';
  state: ItemState;
  actionedBy: string | null;
  title: string | null;
  company: string | null;
  summary: string | null;
  itemType: string | null;
  status: string | null;
  callbackRequested: boolean;
  files: number;
};

export type InboxPage = {
  access: { messages: AccessLevel; post: AccessLevel };
  items: InboxEntry[];
  next: string | null;
  /** Null on searches and later pages. */
  unread: { messages: number; post: number } | null;
};

export type InboxQuery = {
  type?: 'all' | ItemKind;
  state?: ItemState | '';
  urgency?: 'normal' | 'urgent' | '';
  from?: string;
  to?: string;
  colleague?: string;
  q?: string;
  before?: string;
};

export type MessageItem = {
  kind: 'message';
  id: string;
  at: string;
  urgency: 'normal' | 'urgent';
  state: ItemState;
  actionedAt: string | null;
  caller: { name: string | null; phone: string | null; email: string | null };
  company: string | null;
  reason: string | null;
  body: string | null;
  callbackRequested: boolean;
  canAct: boolean;
};

export type PostItem = {
  kind: 'post';
  id: string;
  at: string;
  state: ItemState;
  actionedAt: string | null;
  sender: string | null;
  itemType: string;
  trackingNumber: string | null;
  status: string;
  history: { status: string; at: string }[];
  files: { id: string; mediaType: string; sizeBytes: number }[];
  canAct: boolean;
};

export type Colleague = {
  userId: string;
  role: 'owner' | 'colleague';
  name: string | null;
  email: string | null;
  status: 'active' | 'disabled';
  messages: AccessLevel;
  post: AccessLevel;
};

export type Invitation = {
  id: string;
  name: string | null;
  email: string | null;
  messages: AccessLevel;
  post: AccessLevel;
  expiresAt: string;
};

export type NotificationMode = 'per_item' | 'daily_digest' | 'none';

export type AccountLifecycle = {
  id: string;
  name: string;
  status: 'trial' | 'subscribed' | 'cancelled' | 'deactivated';
  createdAt: string;
  trialStartedAt: string | null;
  subscribedAt: string | null;
  cancelledAt: string | null;
  deactivatedAt: string | null;
  history: { status: string; at: string }[];
};

export type ExportFormat = 'xlsx' | 'csv' | 'json';

const query = (q: InboxQuery): string => {
  const params = new URLSearchParams();
  for (const [key, value] of Object.entries(q)) if (value && value !== 'all') params.set(key, value);
  const text = params.toString();
  return text ? `?${text}` : '';
};

const item = (kind: ItemKind, id: string): string => `/api/portal/items/${kind}/${encodeURIComponent(id)}`;

export const portalApi = {
  inbox: (q: InboxQuery): Promise<InboxPage> => request('GET', `/api/portal/inbox${query(q)}`),
  item: (kind: ItemKind, id: string): Promise<MessageItem | PostItem> => request('GET', item(kind, id)),
  setRead: (kind: ItemKind, id: string, read: boolean): Promise<{ read: boolean }> =>
    request('POST', `${item(kind, id)}/read`, { read }),
  setActioned: (kind: ItemKind, id: string, actioned: boolean): Promise<{ actioned: boolean }> =>
    request('POST', `${item(kind, id)}/actioned`, { actioned }),
  fileUrl: (fileId: string): string => `/api/portal/files/${encodeURIComponent(fileId)}`,

  access: (): Promise<{ role: string; messages: AccessLevel; post: AccessLevel }> =>
    request('GET', '/api/portal/access'),
  colleagues: (): Promise<{ colleagues: Colleague[]; invitations: Invitation[] }> =>
    request('GET', '/api/portal/colleagues'),
  invite: (input: {
    name: string;
    email: string;
    messages: AccessLevel;
    post: AccessLevel;
  }): Promise<{ mailed: boolean }> => request('POST', '/api/portal/colleagues/invitations', input),
  setAccess: (userId: string, access: { messages: AccessLevel; post: AccessLevel }) =>
    request('PUT', `/api/portal/colleagues/${encodeURIComponent(userId)}/access`, access),
  acceptInvitation: (token: string, password: string): Promise<{ userId: string }> =>
    request('POST', '/api/colleagues/accept', { token, password }),

  notifications: (): Promise<{ mode: NotificationMode }> => request('GET', '/api/portal/notifications'),
  setNotifications: (mode: NotificationMode): Promise<{ mode: NotificationMode }> =>
    request('PUT', '/api/portal/notifications', { mode }),

  account: (): Promise<AccountLifecycle> => request('GET', '/api/portal/account'),
  setAccountStatus: (
    to: 'subscribed' | 'cancelled' | 'deactivated',
    confirmation?: string,
  ): Promise<AccountLifecycle> => request('POST', '/api/portal/account/status', { to, confirmation }),

  deleteAll: (confirmation: string): Promise<{ deletedAt: string; counts: Record<string, number>; receipt: string }> =>
    request('POST', '/api/portal/delete-all', { confirmation }),

  /**
   * Streams the export, reporting progress as bytes arrive against the server's estimate (the total of a
   * compressed stream is not known up front), and returns the file once complete.
   */
  exportAll: async (
    format: ExportFormat,
    onProgress: (fraction: number, items: number) => void,
  ): Promise<{ blob: Blob; filename: string }> => {
    const response = await send('GET', `/api/portal/export?format=${format}`);
    const items = Number(response.headers.get('x-export-items') ?? 0);
    const estimate = Math.max(1, Number(response.headers.get('x-export-estimated-bytes') ?? 1));
    const filename = filenameFrom(response.headers.get('content-disposition'), `custodian-export.${format}`);
    const reader = response.body?.getReader();
    if (!reader) throw new ApiError(0, 'INTERNAL', 'This browser cannot stream downloads');
    const chunks: Uint8Array[] = [];
    let received = 0;
    onProgress(0, items);
    for (;;) {
      let step: ReadableStreamReadResult<Uint8Array>;
      try {
        step = await reader.read();
      } catch {
        throw new ApiError(0, 'NETWORK', 'The export stopped before it finished. Try again.');
      }
      if (step.done) break;
      chunks.push(step.value);
      received += step.value.byteLength;
      onProgress(Math.min(0.99, received / estimate), items);
    }
    onProgress(1, items);
    return {
      blob: new Blob(chunks as BlobPart[], { type: response.headers.get('content-type') ?? undefined }),
      filename,
    };
  },
};

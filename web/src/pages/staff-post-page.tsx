import { type FormEvent, useEffect, useRef, useState } from 'react';
import type { Account, ApiError } from '../api.ts';
import { formatDateTime } from '../format.ts';
import { type ItemType, officeApi, type PostItem, type PostStatus } from '../staff-office-api.ts';
import { Alert } from '../ui/alert.tsx';
import { Badge, type BadgeTone } from '../ui/badge.tsx';
import { Button } from '../ui/button.tsx';
import { Card } from '../ui/card.tsx';
import { EmptyState } from '../ui/empty-state.tsx';
import { Field, Input, Select } from '../ui/field.tsx';
import { MailIcon } from '../ui/icons.tsx';
import { PageHeader } from '../ui/page-header.tsx';
import { SkeletonRows } from '../ui/spinner.tsx';
import { Table } from '../ui/table.tsx';
import { useToast } from '../ui/toast.tsx';
import { asApiError } from '../use-resource.ts';
import { ErrorPanel } from './error-panel.tsx';
import { ClientPicker } from './staff-client-picker.tsx';

const localNow = (): string => {
  const now = new Date();
  now.setMinutes(now.getMinutes() - now.getTimezoneOffset());
  return now.toISOString().slice(0, 16);
};

const TYPES: Record<ItemType, string> = {
  letter: 'Letter',
  parcel: 'Parcel',
  recorded: 'Recorded delivery',
  legal: 'Legal document',
};

const STATUS: Record<PostStatus, { label: string; tone: BadgeTone }> = {
  received: { label: 'Received', tone: 'accent' },
  awaiting_instruction: { label: 'Awaiting instruction', tone: 'warning' },
  forwarded: { label: 'Forwarded', tone: 'success' },
  collected: { label: 'Collected', tone: 'success' },
  scanned: { label: 'Scanned', tone: 'neutral' },
  shredded: { label: 'Shredded', tone: 'neutral' },
};

/** Mirrors the server's lifecycle; the server refuses anything else with 409. */
const NEXT: Record<PostStatus, PostStatus[]> = {
  received: ['awaiting_instruction'],
  awaiting_instruction: ['forwarded', 'collected', 'scanned', 'shredded'],
  scanned: ['forwarded', 'collected', 'shredded'],
  forwarded: [],
  collected: [],
  shredded: [],
};

const ACTION_LABEL: Record<PostStatus, string> = {
  received: 'Received',
  awaiting_instruction: 'Ask for instruction',
  forwarded: 'Forward',
  collected: 'Collected',
  scanned: 'Scanned',
  shredded: 'Shred',
};

const MAX_MB = 10;

export const StaffPostPage = () => {
  const toast = useToast();
  const [client, setClient] = useState<Account | null>(null);
  const [receivedAt, setReceivedAt] = useState(localNow);
  const [sender, setSender] = useState('');
  const [itemType, setItemType] = useState<ItemType>('letter');
  const [tracking, setTracking] = useState('');
  const [file, setFile] = useState<File | null>(null);
  const [errors, setErrors] = useState<Record<string, string>>({});
  const [formError, setFormError] = useState<ApiError | null>(null);
  const [busy, setBusy] = useState(false);
  const [items, setItems] = useState<PostItem[] | null>(null);
  const [listError, setListError] = useState<ApiError | null>(null);
  const idempotencyKey = useRef(crypto.randomUUID());
  const fileInput = useRef<HTMLInputElement>(null);

  useEffect(() => {
    document.title = 'Post · Custodian';
  }, []);

  const reload = async (account: Account | null = client): Promise<void> => {
    if (!account) return;
    try {
      setListError(null);
      setItems(await officeApi.listPost(account.id));
    } catch (caught) {
      setListError(asApiError(caught));
    }
  };

  // biome-ignore lint/correctness/useExhaustiveDependencies: reload when the client changes
  useEffect(() => {
    setItems(null);
    void reload(client);
  }, [client]);

  const submit = async (event: FormEvent): Promise<void> => {
    event.preventDefault();
    setFormError(null);
    const found: Record<string, string> = {};
    if (!client) found.client = 'Choose the client this post is for.';
    if (!sender.trim()) found.sender = 'Enter who sent it, as written on the item.';
    if (file && file.size > MAX_MB * 1_048_576) found.scan = `The scan is larger than ${MAX_MB} MB.`;
    setErrors(found);
    if (Object.keys(found).length > 0 || !client) {
      const first = ['client', 'sender', 'scan'].find((f) => found[f]);
      document.querySelector<HTMLElement>(`[name="${first}"]`)?.focus();
      return;
    }
    const form = new FormData();
    form.append('idempotencyKey', idempotencyKey.current);
    form.append('receivedAt', new Date(receivedAt).toISOString());
    form.append('sender', sender.trim());
    form.append('itemType', itemType);
    if (tracking.trim()) form.append('trackingNumber', tracking.trim());
    if (file) form.append('scan', file, file.name);
    setBusy(true);
    try {
      await officeApi.logPost(client.id, form);
      idempotencyKey.current = crypto.randomUUID();
      setSender('');
      setTracking('');
      setFile(null);
      if (fileInput.current) fileInput.current.value = '';
      setReceivedAt(localNow());
      toast.show('Post item logged');
      await reload();
      document.querySelector<HTMLElement>('[name="sender"]')?.focus();
    } catch (caught) {
      const error = asApiError(caught);
      if (error.code === 'UNSUPPORTED_MEDIA_TYPE' || error.code === 'PAYLOAD_TOO_LARGE')
        setErrors({ scan: error.message });
      else setFormError(error);
    } finally {
      setBusy(false);
    }
  };

  const move = async (item: PostItem, status: PostStatus): Promise<void> => {
    if (!client) return;
    try {
      await officeApi.changePostStatus(client.id, item.id, status);
      toast.show(`${item.sender ?? 'Item'}: ${STATUS[status].label.toLowerCase()}`);
      await reload();
    } catch (caught) {
      setListError(asApiError(caught));
    }
  };

  return (
    <>
      <PageHeader
        title="Post"
        description="Log letters and parcels received for clients, and track what happens to each."
      />
      <div className="office-grid office-grid-wide-side">
        <Card title="Log a post item" id="log-post">
          {formError ? <ErrorPanel error={formError} /> : null}
          <form className="form-stack" onSubmit={submit} noValidate aria-label="Log a post item">
            <ClientPicker value={client} onChange={setClient} autoFocus error={errors.client} />
            <div className="form-row">
              <Field label="Sender" error={errors.sender}>
                {(control) => (
                  <Input
                    {...control}
                    name="sender"
                    autoComplete="off"
                    value={sender}
                    onChange={(e) => setSender(e.target.value)}
                  />
                )}
              </Field>
              <Field label="Type">
                {(control) => (
                  <Select
                    {...control}
                    name="itemType"
                    value={itemType}
                    onChange={(e) => setItemType(e.target.value as ItemType)}
                  >
                    {Object.entries(TYPES).map(([value, label]) => (
                      <option key={value} value={value}>
                        {label}
                      </option>
                    ))}
                  </Select>
                )}
              </Field>
            </div>
            <div className="form-row">
              <Field label="Tracking number" optional>
                {(control) => (
                  <Input
                    {...control}
                    name="trackingNumber"
                    autoComplete="off"
                    value={tracking}
                    onChange={(e) => setTracking(e.target.value)}
                  />
                )}
              </Field>
              <Field label="Received at">
                {(control) => (
                  <Input
                    {...control}
                    name="receivedAt"
                    type="datetime-local"
                    value={receivedAt}
                    onChange={(e) => setReceivedAt(e.target.value)}
                  />
                )}
              </Field>
            </div>
            <Field
              label="Scan or photo"
              optional
              error={errors.scan}
              hint={`PDF, JPEG or PNG, up to ${MAX_MB} MB. Stored encrypted.`}
            >
              {(control) => (
                <Input
                  {...control}
                  ref={fileInput}
                  name="scan"
                  type="file"
                  accept="application/pdf,image/jpeg,image/png"
                  onChange={(e) => setFile(e.target.files?.[0] ?? null)}
                />
              )}
            </Field>
            <div className="form-actions">
              <Button type="submit" variant="primary" icon={<MailIcon size={16} />} busy={busy}>
                Log item
              </Button>
            </div>
          </form>
        </Card>
        <div className="office-side">
          <Card
            title="Recent post"
            id="recent-post"
            description={client ? `For ${client.name}` : 'Choose a client to see their post.'}
            flush
          >
            {listError ? <ErrorPanel error={listError} /> : null}
            {!client ? (
              <EmptyState icon={<MailIcon size={26} />} title="No client chosen" headingLevel={3}>
                <p>Pick a client in the form to see and move their post.</p>
              </EmptyState>
            ) : items === null ? (
              <SkeletonRows rows={3} label="Loading post" />
            ) : items.length === 0 ? (
              <EmptyState icon={<MailIcon size={26} />} title="No post yet" headingLevel={3}>
                <p>Items you log for this client appear here.</p>
              </EmptyState>
            ) : (
              <Table<PostItem>
                caption="Recent post for this client"
                rows={items}
                rowKey={(item) => item.id}
                columns={[
                  {
                    key: 'item',
                    header: 'Item',
                    cell: (item) => (
                      <span className="stacked">
                        <span className="row-title">{item.sender ?? '(unreadable)'}</span>
                        <span className="muted">
                          {TYPES[item.itemType]} · {formatDateTime(item.receivedAt)}
                          {item.files[0] && client ? (
                            <>
                              {' · '}
                              <a
                                href={officeApi.fileUrl(client.id, item.id, item.files[0].id)}
                                target="_blank"
                                rel="noreferrer"
                              >
                                View scan<span className="visually-hidden"> of {item.sender}</span>
                              </a>
                            </>
                          ) : null}
                        </span>
                      </span>
                    ),
                  },
                  {
                    key: 'status',
                    header: 'Status',
                    cell: (item) => <Badge tone={STATUS[item.status].tone}>{STATUS[item.status].label}</Badge>,
                  },
                  {
                    key: 'actions',
                    header: 'Next step',
                    cell: (item) =>
                      NEXT[item.status].length === 0 ? (
                        <span className="muted">Done</span>
                      ) : (
                        <span className="lifecycle-actions">
                          {NEXT[item.status].map((status) => (
                            <Button
                              key={status}
                              size="sm"
                              onClick={() => void move(item, status)}
                              aria-label={`${ACTION_LABEL[status]}: ${item.sender ?? 'item'}`}
                            >
                              {ACTION_LABEL[status]}
                            </Button>
                          ))}
                        </span>
                      ),
                  },
                ]}
              />
            )}
          </Card>
          <Alert tone="info" title="Lifecycle">
            <p>
              Received → awaiting instruction → forwarded, collected, scanned or shredded. Each step records who and
              when.
            </p>
          </Alert>
        </div>
      </div>
    </>
  );
};

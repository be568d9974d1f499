import { type FormEvent, useEffect, useState } from 'react';
import { formatDateTime } from '../../format.ts';
import { type InboxPage as InboxData, type InboxEntry, type InboxQuery, portalApi } from '../../portal-api.ts';
import { Link } from '../../router.tsx';
import { useUser } from '../../session.tsx';
import { Alert } from '../../ui/alert.tsx';
import { Badge } from '../../ui/badge.tsx';
import { Button } from '../../ui/button.tsx';
import { Card } from '../../ui/card.tsx';
import { EmptyState } from '../../ui/empty-state.tsx';
import { Field, Input, Select } from '../../ui/field.tsx';
import { InboxIcon, MailIcon, MessageIcon, SearchIcon } from '../../ui/icons.tsx';
import { PageHeader } from '../../ui/page-header.tsx';
import { SkeletonRows } from '../../ui/spinner.tsx';
import { asApiError, useResource } from '../../use-resource.ts';
import { ErrorPanel } from '../error-panel.tsx';

export const itemPath = (kind: string, id: string): string => `/portal/inbox/${kind}/${encodeURIComponent(id)}`;

const STATE_LABEL = { unread: 'Unread', read: 'Read', actioned: 'Done' } as const;
const STATE_TONE = { unread: 'accent', read: 'neutral', actioned: 'success' } as const;

const typeLabel = (entry: InboxEntry): string =>
  entry.kind === 'message' ? 'Phone message' : `${(entry.itemType ?? 'post').replace(/^\w/, (c) => c.toUpperCase())}`;

const InboxRow = ({ entry }: { entry: InboxEntry }) => {
  const urgent = entry.urgency === 'urgent';
  return (
    <li className={`inbox-row${entry.state === 'unread' ? ' inbox-row-unread' : ''}`}>
      <span className={`inbox-row-icon${urgent ? ' inbox-row-icon-urgent' : ''}`} aria-hidden="true">
        {entry.kind === 'message' ? <MessageIcon size={18} /> : <MailIcon size={18} />}
      </span>
      <div className="inbox-row-main">
        <div className="inbox-row-title">
          <Link to={itemPath(entry.kind, entry.id)}>{entry.title ?? 'Unknown'}</Link>
          {entry.company ? <span className="inbox-row-company">{entry.company}</span> : null}
          {urgent ? <Badge tone="danger">Urgent</Badge> : null}
          {entry.callbackRequested ? <Badge tone="warning">Call back</Badge> : null}
        </div>
        <p className="inbox-row-summary">
          <span className="visually-hidden">{typeLabel(entry)}: </span>
          {entry.kind === 'message'
            ? (entry.summary ?? '')
            : `${typeLabel(entry)} · ${(entry.status ?? '').replace(/_/g, ' ')}${entry.files ? ` · ${entry.files} scan${entry.files > 1 ? 's' : ''}` : ''}`}
        </p>
      </div>
      <div className="inbox-row-meta">
        <time dateTime={entry.at}>{formatDateTime(entry.at)}</time>
        <Badge tone={STATE_TONE[entry.state]}>{STATE_LABEL[entry.state]}</Badge>
      </div>
    </li>
  );
};

/** Messages and post in one timeline; `/portal/post` opens it on post only. */
export const PortalInboxPage = ({ initialType = 'all' }: { initialType?: 'all' | 'message' | 'post' }) => {
  const user = useUser();
  const [filters, setFilters] = useState<InboxQuery>({ type: initialType, state: '', urgency: '' });
  const [search, setSearch] = useState('');
  const [extra, setExtra] = useState<InboxData['items']>([]);
  const [next, setNext] = useState<string | null>(null);
  const [loadingMore, setLoadingMore] = useState(false);
  const [moreError, setMoreError] = useState<string | null>(null);
  const page = useResource(() => portalApi.inbox(filters), [JSON.stringify(filters)]);
  const colleagues = useResource(
    () => (user.role === 'owner' ? portalApi.colleagues().then((c) => c.colleagues) : Promise.resolve([])),
    [user.role],
  );
  const title = initialType === 'post' ? 'Post' : 'Inbox';

  useEffect(() => {
    document.title = `${title} · Custodian`;
  }, [title]);

  useEffect(() => {
    setExtra([]);
    setNext(page.data?.next ?? null);
  }, [page.data]);

  const set = (patch: Partial<InboxQuery>): void => setFilters((current) => ({ ...current, ...patch }));

  const onSearch = (event: FormEvent): void => {
    event.preventDefault();
    set({ q: search.trim() || undefined });
  };

  const loadMore = async (): Promise<void> => {
    if (!next) return;
    setLoadingMore(true);
    setMoreError(null);
    try {
      const more = await portalApi.inbox({ ...filters, before: next });
      setExtra((items) => [...items, ...more.items]);
      setNext(more.next);
    } catch (caught) {
      setMoreError(asApiError(caught).message);
    } finally {
      setLoadingMore(false);
    }
  };

  const access = page.data?.access;
  const items = page.data ? [...page.data.items, ...extra] : [];
  const noAccess = access && access.messages === 'none' && access.post === 'none';
  const unread = page.data?.unread;

  return (
    <>
      <PageHeader
        title={title}
        description="Phone messages and post your answering team took for you, newest first."
        meta={
          unread ? (
            <span className="inbox-summary">
              <Badge tone="accent">{unread.messages} unread messages</Badge>
              <Badge tone="neutral">{unread.post} unread post</Badge>
            </span>
          ) : null
        }
      />
      <Card title="Find items" id="inbox-filters" level={2}>
        <search aria-label="Find items">
          <form className="inbox-filters" onSubmit={onSearch}>
            <Field label="Search" hint="Every word must match: names, companies, reasons, senders, tracking numbers.">
              {(control) => (
                <div className="search-form" style={{ gridTemplateColumns: 'minmax(0, 1fr) auto' }}>
                  <Input {...control} type="search" value={search} onChange={(e) => setSearch(e.target.value)} />
                  <Button type="submit" icon={<SearchIcon size={16} />}>
                    Search
                  </Button>
                </div>
              )}
            </Field>
            <Field label="Type">
              {(control) => (
                <Select
                  {...control}
                  value={filters.type}
                  onChange={(e) => set({ type: e.target.value as InboxQuery['type'] })}
                >
                  <option value="all">All items</option>
                  <option value="message">Phone messages</option>
                  <option value="post">Post</option>
                </Select>
              )}
            </Field>
            <Field label="State">
              {(control) => (
                <Select
                  {...control}
                  value={filters.state}
                  onChange={(e) => set({ state: e.target.value as InboxQuery['state'] })}
                >
                  <option value="">Any</option>
                  <option value="unread">Unread</option>
                  <option value="read">Read</option>
                  <option value="actioned">Done</option>
                </Select>
              )}
            </Field>
            <Field label="Urgency">
              {(control) => (
                <Select
                  {...control}
                  value={filters.urgency}
                  onChange={(e) => set({ urgency: e.target.value as InboxQuery['urgency'] })}
                >
                  <option value="">Any</option>
                  <option value="urgent">Urgent only</option>
                  <option value="normal">Normal</option>
                </Select>
              )}
            </Field>
          </form>
        </search>
        <div className="inbox-filters-more">
          <Field label="From">
            {(control) => (
              <Input
                {...control}
                type="date"
                value={filters.from ?? ''}
                onChange={(e) => set({ from: e.target.value || undefined })}
              />
            )}
          </Field>
          <Field label="To">
            {(control) => (
              <Input
                {...control}
                type="date"
                value={filters.to ?? ''}
                onChange={(e) => set({ to: e.target.value || undefined })}
              />
            )}
          </Field>
          {user.role === 'owner' ? (
            <Field label="Done by">
              {(control) => (
                <Select
                  {...control}
                  value={filters.colleague ?? ''}
                  onChange={(e) => set({ colleague: e.target.value || undefined })}
                >
                  <option value="">Anyone</option>
                  {(colleagues.data ?? []).map((c) => (
                    <option key={c.userId} value={c.userId}>
                      {c.name ?? c.email ?? 'Colleague'}
                    </option>
                  ))}
                </Select>
              )}
            </Field>
          ) : (
            <span />
          )}
          <Button
            variant="ghost"
            onClick={() => {
              setSearch('');
              setFilters({ type: initialType, state: '', urgency: '' });
            }}
          >
            Clear filters
          </Button>
        </div>
      </Card>
      {page.status === 'error' ? <ErrorPanel error={page.error} onRetry={page.reload} /> : null}
      {noAccess ? (
        <Alert tone="info" title="Nothing shared with you yet">
          The account owner has not given you access to phone messages or post. Ask them to, in Colleagues.
        </Alert>
      ) : null}
      <Card
        title={filters.q ? `Results for “${filters.q}”` : 'Timeline'}
        id="timeline"
        flush
        description={
          access && !noAccess && (access.messages === 'none' || access.post === 'none')
            ? `You can see ${access.messages === 'none' ? 'post' : 'phone messages'} only.`
            : undefined
        }
      >
        <div aria-busy={page.status === 'loading'} aria-live="polite">
          {page.status === 'loading' ? <SkeletonRows rows={4} label="Loading the inbox" /> : null}
          {page.status === 'ready' && items.length === 0 && !noAccess ? (
            <EmptyState icon={<InboxIcon size={26} />} title="Nothing here" headingLevel={3}>
              <p>
                {filters.q || filters.state || filters.urgency || filters.from
                  ? 'No item matches these filters.'
                  : 'New messages and post will appear here.'}
              </p>
            </EmptyState>
          ) : null}
          {items.length > 0 ? (
            <ul className="inbox-list" aria-label={`${title} items`}>
              {items.map((entry) => (
                <InboxRow key={`${entry.kind}-${entry.id}`} entry={entry} />
              ))}
            </ul>
          ) : null}
          {next ? (
            <div className="inbox-more">
              <Button onClick={loadMore} busy={loadingMore}>
                Show older items
              </Button>
            </div>
          ) : null}
          {moreError ? <Alert tone="danger">{moreError}</Alert> : null}
        </div>
      </Card>
    </>
  );
};

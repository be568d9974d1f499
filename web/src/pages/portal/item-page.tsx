import { useEffect, useState } from 'react';
import { formatDateTime } from '../../format.ts';
import { type ItemKind, type MessageItem, type PostItem, portalApi } from '../../portal-api.ts';
import { navigate } from '../../router.tsx';
import { Badge } from '../../ui/badge.tsx';
import { Button } from '../../ui/button.tsx';
import { Card } from '../../ui/card.tsx';
import { CheckCircleIcon, DownloadIcon } from '../../ui/icons.tsx';
import { PageHeader } from '../../ui/page-header.tsx';
import { Skeleton, SkeletonRows } from '../../ui/spinner.tsx';
import { useToast } from '../../ui/toast.tsx';
import { asApiError, useResource } from '../../use-resource.ts';
import { ErrorPanel } from '../error-panel.tsx';

const STATE_LABEL = { unread: 'Unread', read: 'Read', actioned: 'Done' } as const;

const Detail = ({ label, value }: { label: string; value: string | null }) => (
  <div>
    <dt>{label}</dt>
    <dd>{value ?? <span className="muted">Not given</span>}</dd>
  </div>
);

const MessageDetails = ({ item }: { item: MessageItem }) => (
  <div className="grid-person">
    <Card title="Message" id="message">
      {item.reason ? <p className="choice-title">{item.reason}</p> : null}
      <p className="item-body">{item.body ?? 'This message can no longer be read.'}</p>
    </Card>
    <Card title="Caller" id="caller">
      <dl className="details">
        <Detail label="Name" value={item.caller.name} />
        <Detail label="Company" value={item.company} />
        <Detail label="Phone" value={item.caller.phone} />
        <Detail label="E-mail" value={item.caller.email} />
        <Detail label="Call back requested" value={item.callbackRequested ? 'Yes' : 'No'} />
      </dl>
    </Card>
  </div>
);

const PostDetails = ({ item }: { item: PostItem }) => (
  <div className="grid-person">
    <Card title={item.files.length > 1 ? 'Scans' : 'Scan'} id="scans">
      {item.files.length === 0 ? <p className="muted">No scan or photo was taken of this item.</p> : null}
      <div className="scan-list">
        {item.files.map((file, index) =>
          file.mediaType.startsWith('image/') ? (
            <a key={file.id} href={portalApi.fileUrl(file.id)} target="_blank" rel="noopener">
              <img
                className="scan-preview"
                src={portalApi.fileUrl(file.id)}
                alt={`Scan ${index + 1} of the ${item.itemType} from ${item.sender ?? 'an unknown sender'}`}
              />
            </a>
          ) : (
            <a
              key={file.id}
              className="btn btn-secondary"
              href={portalApi.fileUrl(file.id)}
              target="_blank"
              rel="noopener"
            >
              <DownloadIcon size={16} />
              <span>Open scan {index + 1} (PDF)</span>
            </a>
          ),
        )}
      </div>
    </Card>
    <div className="stack">
      <Card title="Details" id="details">
        <dl className="details">
          <Detail label="Sender" value={item.sender} />
          <Detail label="Type" value={item.itemType.replace(/^\w/, (c) => c.toUpperCase())} />
          <Detail label="Tracking number" value={item.trackingNumber} />
          <Detail label="Status" value={item.status.replace(/_/g, ' ').replace(/^\w/, (c) => c.toUpperCase())} />
        </dl>
      </Card>
      <Card title="History" id="history">
        <ol className="timeline">
          {item.history.map((h) => (
            <li key={`${h.status}-${h.at}`}>
              <span>{h.status.replace(/_/g, ' ').replace(/^\w/, (c) => c.toUpperCase())}</span>
              <time className="muted" dateTime={h.at}>
                {formatDateTime(h.at)}
              </time>
            </li>
          ))}
        </ol>
      </Card>
    </div>
  </div>
);

export const PortalItemPage = ({ kind, id }: { kind: ItemKind; id: string }) => {
  const loaded = useResource(() => portalApi.item(kind, id), [kind, id]);
  const [item, setItem] = useState<MessageItem | PostItem | null>(null);
  const [busy, setBusy] = useState<'read' | 'done' | null>(null);
  const toast = useToast();
  const back = kind === 'post' ? { label: 'Post', to: '/portal/post' } : { label: 'Inbox', to: '/portal/inbox' };

  useEffect(() => {
    // A generic title: page titles end up in browser history.
    document.title = `${kind === 'message' ? 'Message' : 'Post item'} · Custodian`;
  }, [kind]);

  useEffect(() => {
    if (loaded.data) setItem(loaded.data);
  }, [loaded.data]);

  if (loaded.status === 'error') {
    return (
      <>
        <PageHeader title={kind === 'message' ? 'Message' : 'Post item'} crumbs={[back, { label: 'Item' }]} />
        <ErrorPanel error={loaded.error} onRetry={loaded.reload} />
      </>
    );
  }

  const markUnread = async (): Promise<void> => {
    setBusy('read');
    try {
      await portalApi.setRead(kind, id, false);
      toast.show('Marked as unread');
      navigate(back.to);
    } catch (caught) {
      toast.show(asApiError(caught).message, 'danger');
    } finally {
      setBusy(null);
    }
  };

  const toggleDone = async (): Promise<void> => {
    if (!item) return;
    const actioned = item.state !== 'actioned';
    setBusy('done');
    try {
      const result = await portalApi.setActioned(kind, id, actioned);
      setItem({
        ...item,
        state: actioned ? 'actioned' : 'read',
        actionedAt: actioned ? new Date().toISOString() : null,
      });
      toast.show(result.actioned ? 'Marked as done' : 'Opened again');
    } catch (caught) {
      toast.show(asApiError(caught).message, 'danger');
    } finally {
      setBusy(null);
    }
  };

  const title = item
    ? item.kind === 'message'
      ? (item.caller.name ?? 'Unknown caller')
      : (item.sender ?? 'Unknown sender')
    : null;

  return (
    <>
      <PageHeader
        crumbs={[back, { label: kind === 'message' ? 'Message' : 'Post item' }]}
        title={title ?? <Skeleton width={220} height={28} />}
        meta={
          item ? (
            <span className="inbox-summary">
              {item.kind === 'message' && item.urgency === 'urgent' ? <Badge tone="danger">Urgent</Badge> : null}
              <Badge tone={item.state === 'actioned' ? 'success' : 'neutral'}>{STATE_LABEL[item.state]}</Badge>
            </span>
          ) : null
        }
        description={
          item ? `${item.kind === 'message' ? 'Call taken' : 'Received'} ${formatDateTime(item.at)}` : undefined
        }
        actions={
          item ? (
            <div className="item-actions">
              <Button onClick={markUnread} busy={busy === 'read'}>
                Mark unread
              </Button>
              {item.canAct ? (
                <Button
                  variant={item.state === 'actioned' ? 'secondary' : 'primary'}
                  icon={<CheckCircleIcon size={16} />}
                  onClick={toggleDone}
                  busy={busy === 'done'}
                >
                  {item.state === 'actioned' ? 'Open again' : 'Mark done'}
                </Button>
              ) : null}
            </div>
          ) : null
        }
      />
      {item === null ? <SkeletonRows rows={4} label="Loading the item" /> : null}
      {item?.kind === 'message' ? <MessageDetails item={item} /> : null}
      {item?.kind === 'post' ? <PostDetails item={item} /> : null}
    </>
  );
};

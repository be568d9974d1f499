/**
 * @module The staff "Privacy notice" screen (administrators and privacy officers): the policy file in force, its
 * published versions, the record of processing (Art. 30) as XLSX or CSV, and, for a privacy officer, publishing the
 * loaded file as a new notice version. A material change is e-mailed to every active user (AS-20, CC-14, VO-16).
 */
import { type ReactNode, useEffect, useRef, useState } from 'react';
import type { ApiError } from '../../api.ts';
import { formatDate, formatDateTime } from '../../format.ts';
import { type PolicyPublishing, type PublishResult, policyApi, type RopaFormat } from '../../policy-api.ts';
import { saveFile } from '../../save-file.ts';
import { useUser } from '../../session.tsx';
import { Alert } from '../../ui/alert.tsx';
import { Badge } from '../../ui/badge.tsx';
import { Button } from '../../ui/button.tsx';
import { Card } from '../../ui/card.tsx';
import { Dialog } from '../../ui/dialog.tsx';
import { EmptyState } from '../../ui/empty-state.tsx';
import { BookIcon, DownloadIcon, ExternalLinkIcon, MailIcon } from '../../ui/icons.tsx';
import { PageHeader } from '../../ui/page-header.tsx';
import { SkeletonRows } from '../../ui/spinner.tsx';
import { useToast } from '../../ui/toast.tsx';
import { asApiError, useResource } from '../../use-resource.ts';
import { ErrorPanel } from '../error-panel.tsx';

const people = (n: number): string => `${n} ${n === 1 ? 'person' : 'people'}`;

/** The public notice is served by the server, not the app, so these are plain links that open beside the app. */
const NoticeLink = ({ href, children }: { href: string; children: ReactNode }) => (
  <a href={href} target="_blank" rel="noopener" className="notice-link">
    {children}
    <ExternalLinkIcon size={14} />
    <span className="visually-hidden"> (opens in a new tab)</span>
  </a>
);

export const PrivacyNoticePage = () => {
  const user = useUser();
  const data = useResource(() => policyApi.versions(), []);
  const [result, setResult] = useState<PublishResult | null>(null);
  // A reload after publishing keeps the last answer on screen (and an open dialog mounted) until the new one lands.
  const last = useRef<PolicyPublishing | undefined>(undefined);
  if (data.status === 'ready') last.current = data.data;
  const shown = data.status === 'ready' ? data.data : last.current;

  useEffect(() => {
    document.title = 'Privacy notice · Custodian';
  }, []);

  return (
    <>
      <PageHeader
        title="Privacy notice"
        description="The public notice, its published versions and the record of processing all come from one policy file, so they cannot drift apart."
        actions={
          <a href="/privacy" target="_blank" rel="noopener" className="btn btn-secondary">
            <ExternalLinkIcon size={16} />
            <span>View public notice</span>
            <span className="visually-hidden"> (opens in a new tab)</span>
          </a>
        }
      />
      {data.status === 'error' ? <ErrorPanel error={data.error} onRetry={data.reload} /> : null}
      {data.status === 'error' ? null : (
        <div className="grid-person">
          <div className="stack">
            <PolicyCard data={shown} />
            <VersionsCard data={shown} />
          </div>
          <div className="stack">
            <PublishCard
              data={shown}
              canPublish={user.role === 'privacy_officer'}
              result={result}
              onPublished={(published) => {
                setResult(published);
                data.reload();
              }}
              onStale={data.reload}
            />
            <RopaCard />
          </div>
        </div>
      )}
    </>
  );
};

const PolicyCard = ({ data }: { data: PolicyPublishing | undefined }) => (
  <Card title="Policy file in force" id="policy" description="What Custodian enforces and the notice shows today.">
    {data ? (
      <dl className="details details-wide">
        <div>
          <dt>Policy</dt>
          <dd>
            {data.loaded.title}
            <span className="mono policy-id">{data.loaded.id}</span>
          </dd>
        </div>
        <div>
          <dt>Version</dt>
          <dd className="policy-version">
            <span>Version {data.loaded.version}</span>
            {data.publishState === 'published' ? (
              <Badge tone="success">Published</Badge>
            ) : (
              <Badge tone="warning">Not published</Badge>
            )}
          </dd>
        </div>
        <div>
          <dt>Effective</dt>
          <dd>
            <time dateTime={data.loaded.effectiveDate}>{formatDate(data.loaded.effectiveDate)}</time>
          </dd>
        </div>
        <div>
          <dt>What changed</dt>
          <dd>
            {data.loaded.change ? (
              data.loaded.change.summary
            ) : (
              <span className="muted">The change log has no entry for this version.</span>
            )}
          </dd>
        </div>
        <div>
          <dt>Public notice</dt>
          <dd>
            <NoticeLink href="/privacy">/privacy</NoticeLink>
          </dd>
        </div>
      </dl>
    ) : (
      <SkeletonRows rows={5} label="Loading the policy file" />
    )}
  </Card>
);

const VersionsCard = ({ data }: { data: PolicyPublishing | undefined }) => (
  <Card
    title="Published versions"
    id="versions"
    description="Every version stays public at its own address, with what changed since the one before."
    flush
  >
    {!data ? <SkeletonRows rows={3} label="Loading published versions" /> : null}
    {data && data.versions.length === 0 ? (
      <EmptyState icon={<BookIcon size={26} />} title="No version published yet" headingLevel={3}>
        <p>Publish the policy file in force to make it the first version of the notice.</p>
      </EmptyState>
    ) : null}
    {data && data.versions.length > 0 ? (
      <ol className="version-list" aria-label="Published versions, newest first">
        {data.versions.map((v) => (
          <li key={v.version} className="version-item">
            <div className="version-head">
              <h3 className="version-title">
                <NoticeLink href={`/privacy/v/${v.version}`}>Version {v.version}</NoticeLink>
              </h3>
              {v.material ? <Badge tone="accent">Material change</Badge> : <Badge>Minor change</Badge>}
            </div>
            {v.summary ? <p className="version-summary">{v.summary}</p> : null}
            {v.newPurposes.length > 0 ? (
              <p className="version-purposes">
                <span className="muted">New uses: </span>
                {v.newPurposes.map((p) => p.name).join(', ')}
              </p>
            ) : null}
            <p className="version-meta muted">
              Effective <time dateTime={v.effectiveDate}>{formatDate(v.effectiveDate)}</time>
              {' · '}
              Published <time dateTime={v.publishedAt}>{formatDateTime(v.publishedAt)}</time>
              {' · '}
              {v.material ? `${people(v.notified)} e-mailed` : 'Nobody e-mailed'}
            </p>
          </li>
        ))}
      </ol>
    ) : null}
  </Card>
);

const STATE_TEXT: Record<Exclude<PolicyPublishing['publishState'], 'ready'>, (d: PolicyPublishing) => string> = {
  published: (d) =>
    `Version ${d.loaded.version} is the live notice. To publish a change, edit the policy file: raise "version", add a change-log entry saying what changed and whether it is material, then restart Custodian.`,
  older: (d) =>
    `The policy file in force (version ${d.loaded.version}) is older than the published notice (version ${d.versions[0]?.version}). Load the newest file before publishing.`,
  'other-policy': (d) =>
    `The published notice is for the policy "${d.publishedPolicyId}", not "${d.loaded.id}". A different policy cannot be published over it.`,
  'no-change-entry': (d) =>
    `The change log has no entry for version ${d.loaded.version}. Add one saying what changed and whether it is material, then restart Custodian.`,
};

const PublishCard = ({
  data,
  canPublish,
  result,
  onPublished,
  onStale,
}: {
  data: PolicyPublishing | undefined;
  canPublish: boolean;
  result: PublishResult | null;
  onPublished: (result: PublishResult) => void;
  onStale: () => void;
}) => {
  const [open, setOpen] = useState(false);
  const toast = useToast();

  return (
    <Card title="Publish" id="publish" description="Make the policy file in force the public notice.">
      {!data ? <SkeletonRows rows={2} label="Loading publishing status" /> : null}
      {data ? (
        <div className="form-stack">
          {result ? (
            <Alert tone="success" title={`Version ${result.version} published`}>
              {result.material
                ? `${people(result.notified)} e-mailed about the change.`
                : 'Not a material change, so nobody was e-mailed.'}
            </Alert>
          ) : null}
          {data.publishState === 'ready' ? (
            <>
              <p>
                Version {data.loaded.version} is not published yet.{' '}
                {data.loaded.change?.material
                  ? `It is a material change: publishing e-mails ${people(data.recipients)}.`
                  : 'It is not a material change: nobody is e-mailed.'}
              </p>
              {canPublish ? (
                <div>
                  <Button variant="primary" onClick={() => setOpen(true)}>
                    Publish version {data.loaded.version}
                  </Button>
                </div>
              ) : (
                <p className="muted">Only a privacy officer can publish a new version.</p>
              )}
            </>
          ) : (
            <p className={data.publishState === 'published' ? 'muted' : undefined}>
              {STATE_TEXT[data.publishState](data)}
            </p>
          )}
        </div>
      ) : null}
      {data ? (
        <PublishDialog
          open={open}
          data={data}
          onClose={() => setOpen(false)}
          onPublished={(published) => {
            setOpen(false);
            toast.show(`Version ${published.version} published`);
            onPublished(published);
          }}
          onStale={onStale}
        />
      ) : null}
    </Card>
  );
};

const PublishDialog = ({
  open,
  data,
  onClose,
  onPublished,
  onStale,
}: {
  open: boolean;
  data: PolicyPublishing;
  onClose: () => void;
  onPublished: (result: PublishResult) => void;
  onStale: () => void;
}) => {
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<ApiError | null>(null);
  const { version } = data.loaded;
  const change = data.loaded.change;
  // Once the server says the version is already out, offering to publish again would only repeat the refusal.
  const refused = error?.code === 'CONFLICT';

  useEffect(() => {
    if (!open) setError(null);
  }, [open]);

  const publish = async (): Promise<void> => {
    setBusy(true);
    setError(null);
    try {
      onPublished(await policyApi.publish());
    } catch (caught) {
      const failure = asApiError(caught);
      setError(failure);
      // Someone else published first: refresh the screen behind the dialog so it shows what is live now.
      if (failure.code === 'CONFLICT') onStale();
    } finally {
      setBusy(false);
    }
  };

  const close = (): void => {
    if (!busy) onClose();
  };

  return (
    <Dialog
      open={open}
      title={`Publish version ${version}?`}
      onClose={close}
      description={
        change?.material ? (
          <div className="publish-who">
            <p>
              This is a <strong>material change</strong>, so it is e-mailed to every active user:{' '}
              <strong>{people(data.recipients)}</strong> today, including people who opted out of marketing (it is a
              service message about their account, not marketing).
            </p>
            <p>Users of deactivated or cancelled accounts, and disabled sign-ins, are not e-mailed.</p>
          </div>
        ) : (
          <p>
            This change is not marked material, so <strong>nobody is e-mailed</strong>. The new version replaces the
            notice at /privacy.
          </p>
        )
      }
      footer={
        refused ? (
          <Button onClick={close} data-autofocus>
            Close
          </Button>
        ) : (
          <>
            {/* Focus starts on Cancel: publishing e-mails people and cannot be undone. */}
            <Button onClick={close} disabled={busy} data-autofocus>
              Cancel
            </Button>
            <Button variant="primary" icon={<MailIcon size={16} />} onClick={publish} busy={busy}>
              {change?.material ? `Publish and e-mail ${people(data.recipients)}` : 'Publish'}
            </Button>
          </>
        )
      }
    >
      <div className="form-stack">
        {change ? (
          <div className="publish-change">
            <p className="publish-change-label">What changed</p>
            <p>{change.summary}</p>
            {change.newPurposes.length > 0 ? (
              <p>
                New uses of personal data: {change.newPurposes.map((p) => p.name).join(', ')}. Nobody’s existing data is
                used for them until that person agrees.
              </p>
            ) : null}
          </div>
        ) : null}
        <p className="muted">
          Publishing cannot be undone: version {version} stays public at /privacy/v/{version}.
        </p>
        {error ? (
          <Alert tone="danger" title={error.code === 'CONFLICT' ? 'Not published' : 'Could not publish'}>
            {error.message}
          </Alert>
        ) : null}
      </div>
    </Dialog>
  );
};

const RopaCard = () => {
  const [busy, setBusy] = useState<RopaFormat | null>(null);
  const [error, setError] = useState<ApiError | null>(null);
  const toast = useToast();

  const download = async (format: RopaFormat): Promise<void> => {
    setBusy(format);
    setError(null);
    try {
      const { blob, filename } = await policyApi.ropa(format);
      saveFile(blob, filename);
      toast.show(`Record of processing downloaded (${format.toUpperCase()})`);
    } catch (caught) {
      setError(asApiError(caught));
    } finally {
      setBusy(null);
    }
  };

  return (
    <Card
      title="Record of processing"
      id="ropa"
      description="The Art. 30 record, controller and processor parts, generated from the policy file in force."
    >
      <div className="form-stack">
        {error ? <ErrorPanel error={error} /> : null}
        <div className="button-row">
          <Button
            icon={<DownloadIcon size={16} />}
            onClick={() => download('xlsx')}
            busy={busy === 'xlsx'}
            disabled={busy !== null}
          >
            Download XLSX
          </Button>
          <Button
            icon={<DownloadIcon size={16} />}
            onClick={() => download('csv')}
            busy={busy === 'csv'}
            disabled={busy !== null}
          >
            Download CSV
          </Button>
        </div>
      </div>
    </Card>
  );
};

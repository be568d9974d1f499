/**
 * @module The campaign tool for administrators: choose a marketing template and an audience, preview how many
 * people each reason excludes, then send as a background job and watch its progress. Every recipient is checked
 * again at the moment of sending, so an opt-out made after the preview still wins.
 */
import { type FormEvent, useEffect, useState } from 'react';
import { apiRequest } from '../api.ts';
import { Alert } from '../ui/alert.tsx';
import { Button } from '../ui/button.tsx';
import { Card } from '../ui/card.tsx';
import { Field, Select } from '../ui/field.tsx';
import { PageHeader } from '../ui/page-header.tsx';
import { SkeletonRows } from '../ui/spinner.tsx';
import { Table } from '../ui/table.tsx';
import { asApiError, useResource } from '../use-resource.ts';
import { ErrorPanel } from './error-panel.tsx';

type Options = {
  templates: { id: string; name: string; topic: string; subject: string }[];
  audiences: { id: string; name: string }[];
  reasons: string[];
};
type Preview = { total: number; eligible: number; excluded: Record<string, number> };
type Campaign = {
  id: string;
  template: string;
  audience: string;
  status: 'queued' | 'sending' | 'done' | 'failed';
  total: number;
  sent: number;
  excluded: number;
  createdAt: string;
};

const REASON_LABELS: Record<string, string> = {
  unknown_person: 'Person no longer held',
  account_deactivated: 'Account deactivated',
  channel_not_in_notice: 'Notice does not cover e-mail marketing',
  no_consent: 'No consent or soft opt-in',
  opted_out: 'Opted out',
  objected: 'Objected to marketing',
  restricted: 'Processing restricted',
  no_agreement: 'Has not agreed to a new use',
  undisclosed_purpose: 'Purpose not in the notice',
  no_address: 'No e-mail address',
  suppressed: 'On the suppression list',
};

export const StaffCampaignsPage = () => {
  const options = useResource(() => apiRequest<Options>('GET', '/api/campaigns/options'), []);
  const [template, setTemplate] = useState('');
  const [audience, setAudience] = useState('customers');
  const [preview, setPreview] = useState<Preview | null>(null);
  const [busy, setBusy] = useState<'preview' | 'send' | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [tick, setTick] = useState(0);
  const campaigns = useResource(() => apiRequest<{ campaigns: Campaign[] }>('GET', '/api/campaigns'), [tick]);

  useEffect(() => {
    document.title = 'Campaigns · Custodian';
  }, []);

  const firstTemplate = options.data?.templates[0]?.id ?? '';
  const chosenTemplate = template || firstTemplate;
  const running = (campaigns.data?.campaigns ?? []).some((c) => c.status === 'queued' || c.status === 'sending');

  useEffect(() => {
    if (!running) return;
    const timer = setTimeout(() => setTick((t) => t + 1), 1000);
    return () => clearTimeout(timer);
  }, [running]);

  const doPreview = async (event: FormEvent) => {
    event.preventDefault();
    setBusy('preview');
    setError(null);
    try {
      setPreview(await apiRequest<Preview>('POST', '/api/campaigns/preview', { template: chosenTemplate, audience }));
    } catch (e) {
      setError(asApiError(e).message);
    } finally {
      setBusy(null);
    }
  };

  const send = async () => {
    setBusy('send');
    setError(null);
    try {
      await apiRequest('POST', '/api/campaigns', { template: chosenTemplate, audience });
      setPreview(null);
      setTick((t) => t + 1);
    } catch (e) {
      setError(asApiError(e).message);
    } finally {
      setBusy(null);
    }
  };

  const templateName = (id: string) => options.data?.templates.find((t) => t.id === id)?.name ?? id;

  return (
    <>
      <PageHeader
        title="Campaigns"
        description="Marketing e-mail to people who agreed to it. Each person is checked again at the moment of sending."
      />
      <Card title="New campaign" id="new-campaign">
        {options.status === 'loading' ? <SkeletonRows rows={2} label="Loading templates" /> : null}
        {options.status === 'error' ? <ErrorPanel error={options.error} onRetry={options.reload} /> : null}
        {options.status === 'ready' ? (
          <form className="card-pad stack" onSubmit={doPreview}>
            <Field label="Template">
              {(control) => (
                <Select
                  {...control}
                  value={chosenTemplate}
                  onChange={(e) => {
                    setTemplate(e.target.value);
                    setPreview(null);
                  }}
                >
                  {options.data.templates.map((t) => (
                    <option key={t.id} value={t.id}>
                      {t.name} ({t.topic})
                    </option>
                  ))}
                </Select>
              )}
            </Field>
            <Field label="Audience">
              {(control) => (
                <Select
                  {...control}
                  value={audience}
                  onChange={(e) => {
                    setAudience(e.target.value);
                    setPreview(null);
                  }}
                >
                  {options.data.audiences.map((a) => (
                    <option key={a.id} value={a.id}>
                      {a.name}
                    </option>
                  ))}
                </Select>
              )}
            </Field>
            <div className="form-actions">
              <Button type="submit" variant="secondary" busy={busy === 'preview'}>
                Preview
              </Button>
              <Button
                variant="primary"
                onClick={send}
                busy={busy === 'send'}
                disabled={!preview || preview.eligible === 0}
              >
                {preview ? `Send to ${preview.eligible}` : 'Send'}
              </Button>
            </div>
            {error ? <Alert tone="danger">{error}</Alert> : null}
          </form>
        ) : null}
      </Card>
      {preview ? (
        <Card
          title="Who it would reach"
          id="preview"
          description={`${preview.eligible} of ${preview.total} people`}
          flush
        >
          <Table<[string, number]>
            caption="People excluded, by reason"
            rows={Object.entries(preview.excluded).filter(([, n]) => n > 0)}
            rowKey={([reason]) => reason}
            columns={[
              { key: 'reason', header: 'Excluded because', cell: ([reason]) => REASON_LABELS[reason] ?? reason },
              { key: 'count', header: 'People', align: 'end', cell: ([, n]) => n },
            ]}
          />
        </Card>
      ) : null}
      <Card title="Recent campaigns" id="campaigns" flush>
        {campaigns.status === 'error' ? <ErrorPanel error={campaigns.error} onRetry={campaigns.reload} /> : null}
        {campaigns.data && campaigns.data.campaigns.length === 0 ? (
          <p className="card-pad">No campaigns sent yet.</p>
        ) : null}
        {campaigns.data && campaigns.data.campaigns.length > 0 ? (
          <Table<Campaign>
            caption="Recent campaigns"
            rows={campaigns.data.campaigns}
            rowKey={(c) => c.id}
            columns={[
              { key: 'template', header: 'Template', cell: (c) => templateName(c.template) },
              { key: 'status', header: 'Status', cell: (c) => c.status },
              {
                key: 'progress',
                header: 'Progress',
                secondary: true,
                cell: (c) => (
                  <progress
                    value={c.sent + c.excluded}
                    max={Math.max(c.total, 1)}
                    aria-label={`Campaign progress, ${c.sent + c.excluded} of ${c.total}`}
                  >
                    {c.sent + c.excluded} of {c.total}
                  </progress>
                ),
              },
              { key: 'sent', header: 'Sent', align: 'end', cell: (c) => c.sent },
              { key: 'excluded', header: 'Excluded', align: 'end', cell: (c) => c.excluded, secondary: true },
            ]}
          />
        ) : null}
      </Card>
    </>
  );
};

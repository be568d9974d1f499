import { type FormEvent, useEffect, useState } from 'react';
import { formatDate } from '../../format.ts';
import { type AccessLevel, type Colleague, portalApi } from '../../portal-api.ts';
import { useUser } from '../../session.tsx';
import { Alert } from '../../ui/alert.tsx';
import { Badge } from '../../ui/badge.tsx';
import { Button } from '../../ui/button.tsx';
import { Card } from '../../ui/card.tsx';
import { EmptyState } from '../../ui/empty-state.tsx';
import { Field, Input, Select } from '../../ui/field.tsx';
import { MailIcon, PlusIcon, UsersIcon } from '../../ui/icons.tsx';
import { PageHeader } from '../../ui/page-header.tsx';
import { SkeletonRows } from '../../ui/spinner.tsx';
import { type Column, Table } from '../../ui/table.tsx';
import { useToast } from '../../ui/toast.tsx';
import { asApiError, useResource } from '../../use-resource.ts';
import { ErrorPanel } from '../error-panel.tsx';

const LEVELS: { value: AccessLevel; label: string }[] = [
  { value: 'none', label: 'No access' },
  { value: 'view', label: 'Can view' },
  { value: 'act', label: 'Can view and act' },
];

const levelLabel = (level: AccessLevel): string => LEVELS.find((l) => l.value === level)?.label ?? level;

const AccessSelect = ({
  label,
  value,
  onChange,
  disabled,
}: {
  label: string;
  value: AccessLevel;
  onChange: (value: AccessLevel) => void;
  disabled?: boolean;
}) => (
  <Select
    className="access-select"
    aria-label={label}
    value={value}
    disabled={disabled}
    onChange={(e) => onChange(e.target.value as AccessLevel)}
  >
    {LEVELS.map((l) => (
      <option key={l.value} value={l.value}>
        {l.label}
      </option>
    ))}
  </Select>
);

const InviteForm = ({ onInvited }: { onInvited: () => void }) => {
  const [name, setName] = useState('');
  const [email, setEmail] = useState('');
  const [messages, setMessages] = useState<AccessLevel>('view');
  const [post, setPost] = useState<AccessLevel>('none');
  const [busy, setBusy] = useState(false);
  const [errors, setErrors] = useState<Record<string, string>>({});
  const [failure, setFailure] = useState<string | null>(null);
  const toast = useToast();

  const submit = async (event: FormEvent): Promise<void> => {
    event.preventDefault();
    setBusy(true);
    setErrors({});
    setFailure(null);
    try {
      const result = await portalApi.invite({ name: name.trim(), email: email.trim(), messages, post });
      toast.show(
        result.mailed ? `Invitation sent to ${email.trim()}` : 'Invitation created; the e-mail could not be sent',
      );
      setName('');
      setEmail('');
      onInvited();
    } catch (caught) {
      const error = asApiError(caught);
      const fields = error.fieldErrors;
      setErrors({ name: fields['body.name'] ?? '', email: fields['body.email'] ?? fields.email ?? '' });
      if (!fields['body.name'] && !fields['body.email'] && !fields.email) setFailure(error.message);
      else if (fields.email) setFailure(error.message);
    } finally {
      setBusy(false);
    }
  };

  return (
    <form className="invite-form" onSubmit={submit} noValidate>
      <Field label="Name" error={errors.name || undefined}>
        {(control) => (
          <Input {...control} value={name} onChange={(e) => setName(e.target.value)} required autoComplete="off" />
        )}
      </Field>
      <Field label="E-mail" error={errors.email || undefined}>
        {(control) => (
          <Input
            {...control}
            type="email"
            value={email}
            onChange={(e) => setEmail(e.target.value)}
            required
            autoComplete="off"
          />
        )}
      </Field>
      <Field label="Phone messages">
        {(control) => (
          <Select {...control} value={messages} onChange={(e) => setMessages(e.target.value as AccessLevel)}>
            {LEVELS.map((l) => (
              <option key={l.value} value={l.value}>
                {l.label}
              </option>
            ))}
          </Select>
        )}
      </Field>
      <Field label="Post">
        {(control) => (
          <Select {...control} value={post} onChange={(e) => setPost(e.target.value as AccessLevel)}>
            {LEVELS.map((l) => (
              <option key={l.value} value={l.value}>
                {l.label}
              </option>
            ))}
          </Select>
        )}
      </Field>
      {failure ? (
        <div className="settings-wide">
          <Alert tone="danger">{failure}</Alert>
        </div>
      ) : null}
      <div className="form-actions">
        <Button
          type="submit"
          variant="primary"
          icon={<PlusIcon size={16} />}
          busy={busy}
          disabled={!name.trim() || !email.trim()}
        >
          Send invitation
        </Button>
      </div>
    </form>
  );
};

export const PortalColleaguesPage = () => {
  const user = useUser();
  const data = useResource(() => portalApi.colleagues(), []);
  const [rows, setRows] = useState<Colleague[]>([]);
  const [saving, setSaving] = useState<string | null>(null);
  const toast = useToast();

  useEffect(() => {
    document.title = 'Colleagues · Custodian';
  }, []);

  useEffect(() => {
    if (data.data) setRows(data.data.colleagues);
  }, [data.data]);

  if (user.role !== 'owner') {
    return (
      <>
        <PageHeader title="Colleagues" description="People at your business who can use this portal." />
        <Alert tone="info" title="Only the account owner manages colleagues">
          Ask the owner of your account if you need to see more, or less.
        </Alert>
      </>
    );
  }

  const change = async (row: Colleague, patch: Partial<Pick<Colleague, 'messages' | 'post'>>): Promise<void> => {
    const next = { messages: patch.messages ?? row.messages, post: patch.post ?? row.post };
    setSaving(row.userId);
    const previous = rows;
    setRows((all) => all.map((r) => (r.userId === row.userId ? { ...r, ...next } : r)));
    try {
      await portalApi.setAccess(row.userId, next);
      toast.show(
        `${row.name ?? 'Colleague'}: phone messages ${levelLabel(next.messages).toLowerCase()}, post ${levelLabel(next.post).toLowerCase()}`,
      );
    } catch (caught) {
      setRows(previous);
      toast.show(asApiError(caught).message, 'danger');
    } finally {
      setSaving(null);
    }
  };

  const columns: Column<Colleague>[] = [
    {
      key: 'name',
      header: 'Person',
      cell: (row) => (
        <span className="stacked">
          <span className="choice-title">{row.name ?? 'Unnamed'}</span>
          <span className="muted">{row.email}</span>
        </span>
      ),
    },
    {
      key: 'role',
      header: 'Role',
      secondary: true,
      cell: (row) => (row.role === 'owner' ? <Badge tone="accent">Owner</Badge> : <Badge>Colleague</Badge>),
    },
    {
      key: 'messages',
      header: 'Phone messages',
      cell: (row) =>
        row.role === 'owner' ? (
          <span className="muted">Full access</span>
        ) : (
          <AccessSelect
            label={`Phone messages access for ${row.name ?? row.email ?? 'colleague'}`}
            value={row.messages}
            disabled={saving === row.userId}
            onChange={(messages) => void change(row, { messages })}
          />
        ),
    },
    {
      key: 'post',
      header: 'Post',
      cell: (row) =>
        row.role === 'owner' ? (
          <span className="muted">Full access</span>
        ) : (
          <AccessSelect
            label={`Post access for ${row.name ?? row.email ?? 'colleague'}`}
            value={row.post}
            disabled={saving === row.userId}
            onChange={(post) => void change(row, { post })}
          />
        ),
    },
  ];

  return (
    <>
      <PageHeader
        title="Colleagues"
        description="Decide, for each colleague, what they may see and do — separately for phone messages and for post. Changes apply on their very next click."
      />
      {data.status === 'error' ? <ErrorPanel error={data.error} onRetry={data.reload} /> : null}
      <Card title="People with access" id="people" flush>
        {data.status === 'loading' ? <SkeletonRows rows={3} label="Loading colleagues" /> : null}
        {data.status === 'ready' ? (
          <Table caption="Colleagues and their access" columns={columns} rows={rows} rowKey={(r) => r.userId} />
        ) : null}
      </Card>
      <div className="grid-two">
        <Card title="Invite a colleague" id="invite" description="They get an e-mail with a link to choose a password.">
          <InviteForm onInvited={data.reload} />
        </Card>
        <Card title="Open invitations" id="invitations" flush>
          {data.data && data.data.invitations.length === 0 ? (
            <EmptyState icon={<MailIcon size={26} />} title="No open invitations" headingLevel={3}>
              <p>Invitations waiting to be accepted show here.</p>
            </EmptyState>
          ) : null}
          {data.data && data.data.invitations.length > 0 ? (
            <ul className="link-list">
              {data.data.invitations.map((i) => (
                <li key={i.id} className="link-list-item">
                  <span className="link-list-icon" aria-hidden="true">
                    <UsersIcon size={18} />
                  </span>
                  <span className="link-list-text">
                    <span className="link-list-title">{i.name ?? i.email}</span>
                    <span className="muted">
                      {i.email} · messages: {levelLabel(i.messages).toLowerCase()}, post:{' '}
                      {levelLabel(i.post).toLowerCase()} · until {formatDate(i.expiresAt)}
                    </span>
                  </span>
                </li>
              ))}
            </ul>
          ) : null}
        </Card>
      </div>
    </>
  );
};

import { type FormEvent, useEffect, useState } from 'react';
import { type Account, ApiError, api, type NoteReceipt, type SubjectSearch, type SubjectSummary } from '../../api.ts';
import { formatDate, initials } from '../../format.ts';
import { Link } from '../../router.tsx';
import { Alert } from '../../ui/alert.tsx';
import { StatusBadge } from '../../ui/badge.tsx';
import { Button } from '../../ui/button.tsx';
import { Card } from '../../ui/card.tsx';
import { EmptyState } from '../../ui/empty-state.tsx';
import { Field, Input, Select, Textarea } from '../../ui/field.tsx';
import { ChevronRightIcon, NoteIcon, SearchIcon, UsersIcon } from '../../ui/icons.tsx';
import { PageHeader } from '../../ui/page-header.tsx';
import { Skeleton, SkeletonRows } from '../../ui/spinner.tsx';
import { Table } from '../../ui/table.tsx';
import { useToast } from '../../ui/toast.tsx';
import { asApiError, useResource } from '../../use-resource.ts';
import { ErrorPanel } from '../error-panel.tsx';
import { accountPath } from './accounts-page.tsx';

export const personPath = (accountId: string, subjectId: string): string =>
  `${accountPath(accountId)}/people/${encodeURIComponent(subjectId)}`;

/** Finds one account in the list; there is no single-account endpoint and the list is small. */
export const useAccount = (accountId: string) =>
  useResource(async (): Promise<Account> => {
    const accounts = await api.listAccounts();
    const account = accounts.find((candidate) => candidate.id === accountId);
    if (!account)
      throw new ApiError(404, 'NOT_FOUND', 'No account with this address exists, or it is not yours to see.');
    return account;
  }, [accountId]);

export const AccountPage = ({ accountId }: { accountId: string }) => {
  const account = useAccount(accountId);

  useEffect(() => {
    document.title = `${account.data?.name ?? 'Account'} · Custodian`;
  }, [account.data]);

  if (account.status === 'error') {
    return (
      <>
        <PageHeader title="Account" crumbs={[{ label: 'Accounts', to: '/staff' }, { label: 'Account' }]} />
        <ErrorPanel error={account.error} onRetry={account.reload} />
      </>
    );
  }

  return (
    <>
      <PageHeader
        crumbs={[{ label: 'Accounts', to: '/staff' }, { label: account.data?.name ?? 'Account' }]}
        title={account.data ? account.data.name : <Skeleton width={220} height={28} />}
        meta={account.data ? <StatusBadge status={account.data.status} /> : null}
        description="Record who got in touch, and find the people this business holds data about."
      />
      <div className="grid-account">
        <ContactNoteCard accountId={accountId} />
        <FindPersonCard accountId={accountId} />
      </div>
    </>
  );
};

type NoteForm = { name: string; email: string; phone: string; body: string };
const EMPTY_NOTE: NoteForm = { name: '', email: '', phone: '', body: '' };

const validateNote = (form: NoteForm): Record<string, string> => {
  const errors: Record<string, string> = {};
  if (!form.name.trim()) errors.name = 'Enter the person’s name.';
  if (!form.email.trim() && !form.phone.trim()) {
    errors.email = 'Enter an e-mail address or a phone number.';
    errors.phone = 'Enter a phone number or an e-mail address.';
  }
  if (form.email.trim() && !/^[^\s@]+@[^\s@]+\.[^\s@]+$/.test(form.email.trim())) {
    errors.email = 'Enter an e-mail address like name@example.com.';
  }
  if (!form.body.trim()) errors.body = 'Write what the person said or asked for.';
  return errors;
};

const SERVER_FIELDS: Record<string, keyof NoteForm> = {
  'person.name': 'name',
  'person.email': 'email',
  'person.phone': 'phone',
  // The "e-mail or phone" rule is reported on the person object as a whole.
  person: 'email',
  body: 'body',
};

/** Server field paths (`body.person.email`) map onto this form's flat fields. */
const fromServerFields = (error: ApiError): Record<string, string> => {
  const out: Record<string, string> = {};
  for (const [path, message] of Object.entries(error.fieldErrors)) {
    const key = SERVER_FIELDS[path.replace(/^body\./, '')];
    if (key) out[key] = message.charAt(0).toUpperCase() + message.slice(1);
  }
  return out;
};

const ContactNoteCard = ({ accountId }: { accountId: string }) => {
  const toast = useToast();
  const [form, setForm] = useState<NoteForm>(EMPTY_NOTE);
  const [errors, setErrors] = useState<Record<string, string>>({});
  const [formError, setFormError] = useState<ApiError | null>(null);
  const [busy, setBusy] = useState(false);
  const [receipt, setReceipt] = useState<(NoteReceipt & { name: string }) | null>(null);

  const update = (key: keyof NoteForm) => (event: { target: { value: string } }) => {
    setForm((previous) => ({ ...previous, [key]: event.target.value }));
    if (errors[key]) setErrors(({ [key]: _dropped, ...rest }) => rest);
  };

  const submit = async (event: FormEvent): Promise<void> => {
    event.preventDefault();
    setFormError(null);
    setReceipt(null);
    const found = validateNote(form);
    setErrors(found);
    if (Object.keys(found).length > 0) {
      const first = Object.keys(found)[0];
      document.querySelector<HTMLElement>(`[name="note-${first}"]`)?.focus();
      return;
    }
    setBusy(true);
    try {
      const person: { name: string; email?: string; phone?: string } = { name: form.name.trim() };
      if (form.email.trim()) person.email = form.email.trim();
      if (form.phone.trim()) person.phone = form.phone.trim();
      const result = await api.recordContactNote(accountId, { person, body: form.body.trim() });
      setReceipt({ ...result, name: person.name });
      setForm(EMPTY_NOTE);
      toast.show('Contact note recorded');
    } catch (caught) {
      const error = asApiError(caught);
      const fieldErrors = fromServerFields(error);
      if (Object.keys(fieldErrors).length > 0) setErrors(fieldErrors);
      else setFormError(error);
    } finally {
      setBusy(false);
    }
  };

  return (
    <Card
      title="Record a contact note"
      id="record-note"
      description="Someone called or wrote in? Note who, how to reach them, and what they wanted."
    >
      {receipt ? (
        <Alert tone="success" title="Note recorded">
          <p>
            {receipt.linkedExisting
              ? `Added to the existing record for ${receipt.name}, matched by e-mail or phone.`
              : `A new person record was created for ${receipt.name}.`}
          </p>
          <Link to={personPath(accountId, receipt.subjectId)} className="alert-link">
            Open {receipt.name}’s record
          </Link>
        </Alert>
      ) : null}
      {formError ? <ErrorPanel error={formError} /> : null}
      <form className="form-stack" onSubmit={submit} noValidate aria-label="Record a contact note">
        <Field label="Person’s name" error={errors.name}>
          {(control) => (
            <Input {...control} name="note-name" autoComplete="off" value={form.name} onChange={update('name')} />
          )}
        </Field>
        <div className="form-row">
          <Field label="E-mail" error={errors.email} optional>
            {(control) => (
              <Input
                {...control}
                name="note-email"
                type="email"
                autoComplete="off"
                value={form.email}
                onChange={update('email')}
              />
            )}
          </Field>
          <Field label="Phone" error={errors.phone} optional>
            {(control) => (
              <Input
                {...control}
                name="note-phone"
                type="tel"
                autoComplete="off"
                value={form.phone}
                onChange={update('phone')}
              />
            )}
          </Field>
        </div>
        <Field
          label="Note"
          error={errors.body}
          hint="Keep to what the client needs. This note is stored encrypted and counts as personal data."
        >
          {(control) => <Textarea {...control} name="note-body" rows={4} value={form.body} onChange={update('body')} />}
        </Field>
        <div className="form-actions">
          <Button type="submit" variant="primary" icon={<NoteIcon size={16} />} busy={busy}>
            Record note
          </Button>
        </div>
      </form>
    </Card>
  );
};

const SEARCH_LABELS: Record<SubjectSearch['by'], string> = { email: 'E-mail', phone: 'Phone', name: 'Name' };
const SEARCH_TYPES: Record<SubjectSearch['by'], string> = { email: 'email', phone: 'tel', name: 'text' };

type SearchState =
  | { status: 'idle' }
  | { status: 'loading' }
  | { status: 'error'; error: ApiError }
  | { status: 'ready'; query: SubjectSearch; subjects: SubjectSummary[] };

const FindPersonCard = ({ accountId }: { accountId: string }) => {
  const [by, setBy] = useState<SubjectSearch['by']>('email');
  const [value, setValue] = useState('');
  const [inputError, setInputError] = useState<string | undefined>();
  const [state, setState] = useState<SearchState>({ status: 'idle' });

  const submit = async (event: FormEvent): Promise<void> => {
    event.preventDefault();
    const query = { by, value: value.trim() };
    if (!query.value) {
      setInputError(
        `Enter ${by === 'email' ? 'an e-mail address' : by === 'phone' ? 'a phone number' : 'a name'} to search for.`,
      );
      return;
    }
    setInputError(undefined);
    setState({ status: 'loading' });
    try {
      setState({ status: 'ready', query, subjects: await api.findSubjects(accountId, query) });
    } catch (caught) {
      setState({ status: 'error', error: asApiError(caught) });
    }
  };

  return (
    <Card
      title="Find a person"
      id="find-person"
      description="Look someone up to see their notes, export their data or erase them."
    >
      <search aria-label="Find a person">
        <form className="search-form" onSubmit={submit} noValidate>
          <Field label="Search by" className="search-by">
            {(control) => (
              <Select {...control} value={by} onChange={(event) => setBy(event.target.value as SubjectSearch['by'])}>
                {Object.entries(SEARCH_LABELS).map(([key, label]) => (
                  <option key={key} value={key}>
                    {label}
                  </option>
                ))}
              </Select>
            )}
          </Field>
          <Field label={SEARCH_LABELS[by]} error={inputError} className="search-value">
            {(control) => (
              <Input
                {...control}
                name="search-value"
                type={SEARCH_TYPES[by]}
                autoComplete="off"
                value={value}
                onChange={(event) => setValue(event.target.value)}
              />
            )}
          </Field>
          <Button
            type="submit"
            variant="secondary"
            icon={<SearchIcon size={16} />}
            busy={state.status === 'loading'}
            className="search-submit"
          >
            Search
          </Button>
        </form>
      </search>
      <div className="search-results" aria-live="polite">
        {state.status === 'idle' ? (
          <EmptyState icon={<UsersIcon size={26} />} title="Search to see people" headingLevel={3}>
            <p>Matches are exact for e-mail and phone, so callers cannot be confused with one another.</p>
          </EmptyState>
        ) : null}
        {state.status === 'loading' ? <SkeletonRows rows={2} label="Searching" /> : null}
        {state.status === 'error' ? <ErrorPanel error={state.error} /> : null}
        {state.status === 'ready' && state.subjects.length === 0 ? (
          <EmptyState icon={<SearchIcon size={26} />} title="No one matches" headingLevel={3}>
            <p>
              Nobody with {SEARCH_LABELS[state.query.by].toLowerCase()} “{state.query.value}” is on file for this
              account.
            </p>
          </EmptyState>
        ) : null}
        {state.status === 'ready' && state.subjects.length > 0 ? (
          <>
            <p className="results-count">
              {state.subjects.length} {state.subjects.length === 1 ? 'person' : 'people'} found
            </p>
            <Table<SubjectSummary>
              caption="People matching your search"
              rows={state.subjects}
              rowKey={(subject) => subject.id}
              columns={[
                {
                  key: 'person',
                  header: 'Person',
                  cell: (subject) => (
                    <span className="person-cell">
                      <span className="avatar avatar-sm" aria-hidden="true">
                        {initials(subject.name ?? '')}
                      </span>
                      <span className="stacked">
                        <Link to={personPath(accountId, subject.id)} className="row-title row-link">
                          {subject.name || 'Unnamed person'}
                        </Link>
                        <span className="person-contact muted">
                          {subject.email ? <span>{subject.email}</span> : null}
                          {subject.phone ? <span className="nowrap">{subject.phone}</span> : null}
                        </span>
                      </span>
                    </span>
                  ),
                },
                {
                  key: 'created',
                  header: 'Added',
                  secondary: true,
                  cell: (subject) => <span className="muted nowrap">{formatDate(subject.createdAt)}</span>,
                },
                {
                  key: 'open',
                  header: <span className="visually-hidden">Open</span>,
                  align: 'end',
                  cell: () => <ChevronRightIcon size={18} className="row-chevron" />,
                },
              ]}
            />
          </>
        ) : null}
      </div>
    </Card>
  );
};

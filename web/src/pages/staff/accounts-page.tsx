import { useEffect, useState } from 'react';
import { type Account, api } from '../../api.ts';
import { Link } from '../../router.tsx';
import { StatusBadge } from '../../ui/badge.tsx';
import { Card } from '../../ui/card.tsx';
import { EmptyState } from '../../ui/empty-state.tsx';
import { Field, Input } from '../../ui/field.tsx';
import { BuildingIcon, ChevronRightIcon, SearchIcon } from '../../ui/icons.tsx';
import { PageHeader } from '../../ui/page-header.tsx';
import { SkeletonRows } from '../../ui/spinner.tsx';
import { Table } from '../../ui/table.tsx';
import { useResource } from '../../use-resource.ts';
import { ErrorPanel } from '../error-panel.tsx';

export const accountPath = (accountId: string): string => `/staff/accounts/${encodeURIComponent(accountId)}`;

export const AccountsPage = () => {
  const accounts = useResource(() => api.listAccounts(), []);
  const [filter, setFilter] = useState('');

  useEffect(() => {
    document.title = 'Accounts · Custodian';
  }, []);

  const needle = filter.trim().toLowerCase();
  const visible = (accounts.data ?? []).filter((account) => account.name.toLowerCase().includes(needle));
  const total = accounts.data?.length ?? 0;

  return (
    <>
      <PageHeader
        title="Accounts"
        description="The businesses you answer calls and handle post for. Open one to record a contact or look someone up."
      />
      <Card
        title="Client accounts"
        id="accounts"
        description={accounts.status === 'ready' ? `${total} ${total === 1 ? 'account' : 'accounts'}` : undefined}
        actions={
          total > 5 ? (
            <Field label="Filter accounts" className="field-inline">
              {(control) => (
                <Input {...control} type="search" value={filter} onChange={(event) => setFilter(event.target.value)} />
              )}
            </Field>
          ) : null
        }
        flush
      >
        {accounts.status === 'loading' ? <SkeletonRows rows={4} label="Loading accounts" /> : null}
        {accounts.status === 'error' ? (
          <div className="card-pad">
            <ErrorPanel error={accounts.error} onRetry={accounts.reload} />
          </div>
        ) : null}
        {accounts.status === 'ready' && total === 0 ? (
          <EmptyState icon={<BuildingIcon size={28} />} title="No client accounts yet">
            <p>Accounts appear here once an administrator signs up a client business.</p>
          </EmptyState>
        ) : null}
        {accounts.status === 'ready' && total > 0 && visible.length === 0 ? (
          <EmptyState icon={<SearchIcon size={28} />} title="No account matches that filter" />
        ) : null}
        {visible.length > 0 ? (
          <Table<Account>
            caption="Client accounts"
            rows={visible}
            rowKey={(account) => account.id}
            columns={[
              {
                key: 'name',
                header: 'Business',
                cell: (account) => (
                  <Link to={accountPath(account.id)} className="row-title row-link">
                    <span className="row-icon" aria-hidden="true">
                      <BuildingIcon size={16} />
                    </span>
                    {account.name}
                  </Link>
                ),
              },
              { key: 'status', header: 'Status', cell: (account) => <StatusBadge status={account.status} /> },
              {
                key: 'open',
                header: <span className="visually-hidden">Open</span>,
                align: 'end',
                cell: () => <ChevronRightIcon size={18} className="row-chevron" />,
              },
            ]}
          />
        ) : null}
      </Card>
    </>
  );
};

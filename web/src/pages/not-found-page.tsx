import { useEffect } from 'react';
import { LinkButton } from '../ui/button.tsx';
import { Card } from '../ui/card.tsx';
import { EmptyState } from '../ui/empty-state.tsx';
import { SearchIcon } from '../ui/icons.tsx';
import { PageHeader } from '../ui/page-header.tsx';

export const NotFoundPage = ({ home }: { home: string }) => {
  useEffect(() => {
    document.title = 'Page not found · Custodian';
  }, []);
  return (
    <>
      <PageHeader title="Page not found" />
      <Card>
        <EmptyState
          icon={<SearchIcon size={28} />}
          title="There is nothing at this address"
          actions={
            <LinkButton to={home} variant="primary">
              Go to your start page
            </LinkButton>
          }
        >
          <p>The link may be out of date, or the page may have moved.</p>
        </EmptyState>
      </Card>
    </>
  );
};

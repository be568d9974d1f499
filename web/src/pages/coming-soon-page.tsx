import { type ReactNode, useEffect } from 'react';
import { Badge } from '../ui/badge.tsx';
import { Card } from '../ui/card.tsx';
import { EmptyState } from '../ui/empty-state.tsx';
import { PageHeader } from '../ui/page-header.tsx';

export const ComingSoonPage = ({
  title,
  description,
  icon,
  promise,
}: {
  title: string;
  description: string;
  icon: ReactNode;
  /** One line on what the feature will do, so the empty screen still explains the product. */
  promise: string;
}) => {
  useEffect(() => {
    document.title = `${title} · Custodian`;
  }, [title]);
  return (
    <>
      <PageHeader title={title} description={description} meta={<Badge tone="accent">Coming soon</Badge>} />
      <Card>
        <EmptyState icon={icon} title="We are building this part of Custodian">
          <p>{promise}</p>
          <p className="muted">We will let you know in the app when it is ready. Nothing you need to do now.</p>
        </EmptyState>
      </Card>
    </>
  );
};

import type { ReactNode } from 'react';
import { Link } from '../router.tsx';
import { ChevronRightIcon } from './icons.tsx';

export type Crumb = { label: string; to?: string };

export const PageHeader = ({
  title,
  description,
  crumbs,
  actions,
  meta,
}: {
  title: ReactNode;
  description?: ReactNode;
  crumbs?: Crumb[];
  actions?: ReactNode;
  meta?: ReactNode;
}) => (
  <div className="page-header">
    {crumbs && crumbs.length > 0 ? (
      <nav aria-label="Breadcrumb" className="breadcrumbs">
        <ol>
          {crumbs.map((crumb, index) => (
            <li key={crumb.to ?? crumb.label}>
              {crumb.to ? <Link to={crumb.to}>{crumb.label}</Link> : <span aria-current="page">{crumb.label}</span>}
              {index < crumbs.length - 1 ? <ChevronRightIcon size={14} className="breadcrumb-sep" /> : null}
            </li>
          ))}
        </ol>
      </nav>
    ) : null}
    <div className="page-header-row">
      <div className="page-header-text">
        <div className="page-title-row">
          <h1 className="page-title">{title}</h1>
          {meta}
        </div>
        {description ? <p className="page-description">{description}</p> : null}
      </div>
      {actions ? <div className="page-header-actions">{actions}</div> : null}
    </div>
  </div>
);

import type { ReactNode } from 'react';

type CardProps = {
  title?: ReactNode;
  description?: ReactNode;
  actions?: ReactNode;
  children?: ReactNode;
  className?: string;
  /** Tables and lists run edge to edge; forms and text get padding. */
  flush?: boolean;
  /** Heading level for the title, so each page keeps a correct outline. */
  level?: 2 | 3;
  id?: string;
};

export const Card = ({ title, description, actions, children, className, flush, level = 2, id }: CardProps) => {
  const Heading = level === 2 ? 'h2' : 'h3';
  const headingId = id ? `${id}-title` : undefined;
  return (
    <section
      className={['card', className ?? ''].filter(Boolean).join(' ')}
      aria-labelledby={title ? headingId : undefined}
      id={id}
    >
      {title || actions ? (
        <header className="card-header">
          <div>
            {title ? (
              <Heading className="card-title" id={headingId}>
                {title}
              </Heading>
            ) : null}
            {description ? <p className="card-description">{description}</p> : null}
          </div>
          {actions ? <div className="card-actions">{actions}</div> : null}
        </header>
      ) : null}
      <div className={flush ? 'card-body card-body-flush' : 'card-body'}>{children}</div>
    </section>
  );
};

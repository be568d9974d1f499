import type { CSSProperties } from 'react';

/** `label: null` when the surrounding control already says what is loading. */
export const Spinner = ({ size = 20, label = 'Loading' }: { size?: number; label?: string | null }) => {
  const wheel = <span className="spinner" style={{ width: size, height: size }} aria-hidden="true" />;
  if (!label) return wheel;
  return (
    <span role="status" className="spinner-status">
      {wheel}
      <span className="visually-hidden">{label}</span>
    </span>
  );
};

export const Skeleton = ({
  width = '100%',
  height = 14,
  style,
}: {
  width?: string | number;
  height?: number;
  style?: CSSProperties;
}) => <span className="skeleton" style={{ width, height, ...style }} aria-hidden="true" />;

/** Placeholder rows shaped like the content they stand in for, so the layout does not jump. */
export const SkeletonRows = ({ rows = 3, label = 'Loading' }: { rows?: number; label?: string }) => (
  <div className="skeleton-rows" role="status" aria-label={label}>
    {Array.from({ length: rows }, (_, index) => (
      // biome-ignore lint/suspicious/noArrayIndexKey: static placeholders never reorder
      <div className="skeleton-row" key={index}>
        <Skeleton width="32%" />
        <Skeleton width={`${48 - index * 7}%`} />
      </div>
    ))}
  </div>
);

export const PageLoader = ({ label = 'Loading' }: { label?: string }) => (
  <div className="page-loader">
    <Spinner size={28} label={label} />
  </div>
);

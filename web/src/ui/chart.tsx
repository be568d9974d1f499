/**
 * @module Hand-drawn SVG charts: a stacked bar chart and a ring gauge. No chart library: the set is small, and drawing
 * them here keeps the bundle light and the look consistent with the rest of the component set. Each chart is one
 * `role="img"` with a sentence for its accessible name, and carries its numbers in a visually hidden table, so a
 * screen-reader user reads the same data a sighted user looks at.
 *
 * @example
 * <StackedBarChart
 *   title="Requests per month by kind"
 *   categories={[{ key: '2026-10', label: 'Oct' }]}
 *   series={[{ key: 'access', label: 'Access' }]}
 *   value={(month, kind) => counts[month]?.[kind] ?? 0}
 * />
 */
import { useEffect, useRef, useState } from 'react';

export type ChartSeries = { key: string; label: string; color?: string };
export type ChartCategory = {
  key: string;
  label: string;
  /** Longer label for the data table, e.g. "October 2026". */
  long?: string;
};

/** Eight colours that stay apart for the common kinds of colour blindness, in the order series are given. */
export const CHART_COLORS = [
  'var(--chart-1)',
  'var(--chart-2)',
  'var(--chart-3)',
  'var(--chart-4)',
  'var(--chart-5)',
  'var(--chart-6)',
  'var(--chart-7)',
  'var(--chart-8)',
] as const;

const colorOf = (series: ChartSeries, index: number): string =>
  series.color ?? CHART_COLORS[index % CHART_COLORS.length] ?? 'var(--chart-1)';

/** The element's width as it lays out, so text in the SVG stays at its real size on a phone. */
const useWidth = (fallback: number) => {
  const ref = useRef<HTMLDivElement>(null);
  const [width, setWidth] = useState(fallback);
  useEffect(() => {
    const element = ref.current;
    if (!element) return;
    const measure = (): void => setWidth(Math.max(240, Math.round(element.getBoundingClientRect().width)));
    measure();
    if (typeof ResizeObserver === 'undefined') return;
    const observer = new ResizeObserver(measure);
    observer.observe(element);
    return () => observer.disconnect();
  }, []);
  return { ref, width };
};

/** A round step for the value axis: 1, 2 or 5 times a power of ten, giving about four gridlines. */
const niceStep = (max: number): number => {
  if (max <= 4) return 1;
  const rough = max / 4;
  const power = 10 ** Math.floor(Math.log10(rough));
  const scaled = rough / power;
  return (scaled <= 1 ? 1 : scaled <= 2 ? 2 : scaled <= 5 ? 5 : 10) * power;
};

const numberFormat = new Intl.NumberFormat();

export const StackedBarChart = ({
  title,
  categories,
  series,
  value,
  height = 220,
  unit = 'requests',
}: {
  /** Names the chart for assistive technology and captions its data table. */
  title: string;
  categories: ChartCategory[];
  series: ChartSeries[];
  value: (category: string, series: string) => number;
  height?: number;
  /** What the numbers count, for the accessible summary ("14 requests"). */
  unit?: string;
}) => {
  const { ref, width } = useWidth(640);
  const totals = categories.map((c) => series.reduce((sum, s) => sum + value(c.key, s.key), 0));
  const grandTotal = totals.reduce((a, b) => a + b, 0);
  const max = Math.max(1, ...totals);
  const step = niceStep(max);
  const top = Math.ceil(max / step) * step;
  const ticks = Array.from({ length: Math.round(top / step) + 1 }, (_, i) => i * step);

  const margin = { top: 12, right: 8, bottom: 28, left: 34 };
  const plotWidth = width - margin.left - margin.right;
  const plotHeight = height - margin.top - margin.bottom;
  const band = plotWidth / Math.max(1, categories.length);
  const barWidth = Math.min(40, band * 0.62);
  const y = (v: number): number => margin.top + plotHeight - (v / top) * plotHeight;
  // On a narrow chart only every second or third month is labelled, counting back from the latest, so labels never
  // collide and the current month always has one.
  const labelEvery = Math.max(1, Math.ceil(34 / band));

  const busiest = totals.indexOf(Math.max(...totals));
  const summary =
    grandTotal === 0
      ? `${title}: none in this period.`
      : `${title}: ${numberFormat.format(grandTotal)} ${unit} in ${categories.length} months, most in ${
          categories[busiest]?.long ?? categories[busiest]?.label ?? ''
        } (${totals[busiest]}). The table that follows has every figure.`;

  return (
    <div className="chart">
      <div ref={ref} className="chart-frame">
        <svg
          role="img"
          aria-label={summary}
          width={width}
          height={height}
          viewBox={`0 0 ${width} ${height}`}
          className="chart-svg"
        >
          <g className="chart-grid">
            {ticks.map((tick) => (
              <g key={tick}>
                <line x1={margin.left} x2={width - margin.right} y1={y(tick)} y2={y(tick)} />
                <text x={margin.left - 8} y={y(tick)} dy="0.32em" textAnchor="end">
                  {numberFormat.format(tick)}
                </text>
              </g>
            ))}
          </g>
          {categories.map((category, index) => {
            const x = margin.left + band * index + (band - barWidth) / 2;
            let stacked = 0;
            return (
              <g key={category.key}>
                {series.map((s, seriesIndex) => {
                  const v = value(category.key, s.key);
                  if (v <= 0) return null;
                  const y0 = y(stacked);
                  stacked += v;
                  const y1 = y(stacked);
                  return (
                    <rect
                      key={s.key}
                      x={x}
                      y={y1}
                      width={barWidth}
                      height={Math.max(0, y0 - y1 - 1)}
                      rx={2}
                      fill={colorOf(s, seriesIndex)}
                    >
                      <title>{`${category.long ?? category.label}: ${s.label} ${v}`}</title>
                    </rect>
                  );
                })}
                {(categories.length - 1 - index) % labelEvery === 0 ? (
                  <text className="chart-axis-label" x={x + barWidth / 2} y={height - 8} textAnchor="middle">
                    {category.label}
                  </text>
                ) : null}
              </g>
            );
          })}
          <line className="chart-baseline" x1={margin.left} x2={width - margin.right} y1={y(0)} y2={y(0)} />
        </svg>
      </div>
      <ul className="chart-legend" aria-hidden="true">
        {series.map((s, index) => (
          <li key={s.key} className="chart-legend-item">
            <span className="chart-swatch" style={{ background: colorOf(s, index) }} />
            {s.label}
          </li>
        ))}
      </ul>
      {/* Wrapped: a table grows to fit its cells whatever its width, so only a div can clip it to nothing. */}
      <div className="visually-hidden">
        <table>
          <caption>{title}</caption>
          <thead>
            <tr>
              <th scope="col">Month</th>
              {series.map((s) => (
                <th scope="col" key={s.key}>
                  {s.label}
                </th>
              ))}
              <th scope="col">Total</th>
            </tr>
          </thead>
          <tbody>
            {categories.map((category, index) => (
              <tr key={category.key}>
                <th scope="row">{category.long ?? category.label}</th>
                {series.map((s) => (
                  <td key={s.key}>{value(category.key, s.key)}</td>
                ))}
                <td>{totals[index]}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
    </div>
  );
};

/** A ring showing one share (0 to 1), with the percentage in the middle; `null` draws an empty ring and "—". */
export const Gauge = ({
  label,
  value,
  size = 132,
  tone = 'accent',
  caption,
}: {
  label: string;
  value: number | null;
  size?: number;
  tone?: 'accent' | 'warning' | 'danger';
  /** One line under the ring, e.g. "18 of 20 closed on time". */
  caption?: string;
}) => {
  const stroke = 12;
  const radius = (size - stroke) / 2;
  const circumference = 2 * Math.PI * radius;
  const share = value === null ? 0 : Math.min(1, Math.max(0, value));
  const percent = value === null ? '—' : `${Math.round(share * 100)}%`;
  const spoken = value === null ? `${label}: no closed requests yet` : `${label}: ${Math.round(share * 100)} percent`;
  return (
    <figure className="gauge">
      <svg role="img" aria-label={spoken} width={size} height={size} viewBox={`0 0 ${size} ${size}`}>
        <circle className="gauge-track" cx={size / 2} cy={size / 2} r={radius} strokeWidth={stroke} fill="none" />
        {value === null ? null : (
          <circle
            className={`gauge-value gauge-${tone}`}
            cx={size / 2}
            cy={size / 2}
            r={radius}
            strokeWidth={stroke}
            fill="none"
            strokeLinecap="round"
            strokeDasharray={`${circumference * share} ${circumference}`}
            transform={`rotate(-90 ${size / 2} ${size / 2})`}
          />
        )}
        <text x="50%" y="50%" dy="0.35em" textAnchor="middle" className="gauge-text">
          {percent}
        </text>
      </svg>
      {caption ? <figcaption className="gauge-caption">{caption}</figcaption> : null}
    </figure>
  );
};

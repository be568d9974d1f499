/**
 * @module Tabs between sibling screens (a queue and its dashboard): links, not an ARIA tablist, because each tab is
 * its own address that can be bookmarked and opened in a new tab. The current one is marked `aria-current="page"`.
 */
import type { ReactNode } from 'react';
import { Link } from '../router.tsx';

export type TabLink = { to: string; label: string; icon?: ReactNode };

export const TabLinks = ({ label, tabs, current }: { label: string; tabs: TabLink[]; current: string }) => (
  <nav aria-label={label} className="tabs">
    <ul>
      {tabs.map((tab) => (
        <li key={tab.to}>
          <Link
            to={tab.to}
            className={tab.to === current ? 'tab tab-active' : 'tab'}
            aria-current={tab.to === current ? 'page' : undefined}
          >
            {tab.icon}
            {tab.label}
          </Link>
        </li>
      ))}
    </ul>
  </nav>
);

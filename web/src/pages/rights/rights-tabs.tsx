import { ChartIcon, InboxIcon } from '../../ui/icons.tsx';
import { TabLinks } from '../../ui/tabs.tsx';
import { STAFF_RIGHTS_BASE, STAFF_RIGHTS_DASHBOARD } from './rights-shared.tsx';

/** Staff move between the queue and the dashboard; owners have the queue only. */
export const RightsTabs = ({ current }: { current: string }) => (
  <TabLinks
    label="Rights requests views"
    current={current}
    tabs={[
      { to: STAFF_RIGHTS_BASE, label: 'Queue', icon: <InboxIcon size={16} /> },
      { to: STAFF_RIGHTS_DASHBOARD, label: 'Dashboard', icon: <ChartIcon size={16} /> },
    ]}
  />
);

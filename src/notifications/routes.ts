import { z } from 'zod';
import { authContext } from '../auth/routes.ts';
import type { App } from '../kernel/http/types.ts';
import type { Kernel } from '../kernel/kernel.ts';
import { getNotificationPreference, setNotificationPreference } from './notifications.ts';

const ZMode = z.enum(['per_item', 'daily_digest', 'none']);

export const notificationRoutes = (app: App, kernel: Kernel) => {
  app.get(
    '/api/portal/notifications',
    {
      schema: {
        tags: ['notifications'],
        summary: 'How you hear about new items: an e-mail per item, a daily digest, or none (urgent always e-mails)',
        response: { 200: z.object({ mode: ZMode }) },
      },
    },
    async (request) => {
      const auth = authContext(request);

      return getNotificationPreference(kernel, { id: auth.id, accountId: auth.accountId });
    },
  );

  app.put(
    '/api/portal/notifications',
    {
      schema: {
        tags: ['notifications'],
        summary: 'Choose how you hear about new items',
        body: z.object({ mode: ZMode }),
        response: { 200: z.object({ mode: ZMode }) },
      },
    },
    async (request) => {
      const auth = authContext(request);

      return setNotificationPreference(kernel, {
        user: { id: auth.id, role: auth.role, accountId: auth.accountId },
        mode: request.body.mode,
      });
    },
  );
};

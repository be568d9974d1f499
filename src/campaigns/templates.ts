/**
 * @module Marketing templates the campaign tool offers. Each names the direct-marketing purpose (topic) it serves;
 * a template whose topic the loaded notice does not disclose is not offered.
 */
import type { Kernel } from '../kernel/kernel.ts';

export type CampaignTemplate = { id: string; name: string; topic: string; subject: string; text: string };

export const CAMPAIGN_TEMPLATES: readonly CampaignTemplate[] = [
  {
    id: 'monthly-news',
    name: 'Monthly news',
    topic: 'marketing',
    subject: 'What is new at the front desk this month',
    text: 'Hello,\n\nHere is what changed in our answering and virtual-office services this month.',
  },
  {
    id: 'new-service',
    name: 'A new service like yours',
    topic: 'marketing',
    subject: 'A service you may find useful',
    text: 'Hello,\n\nWe have started a service similar to the one you use with us.',
  },
  {
    id: 'feature-tips',
    name: 'Tips for features you have not tried',
    topic: 'tailored_newsletter',
    subject: 'Three things you have not tried yet',
    text: 'Hello,\n\nA few features of your account that other customers find useful.',
  },
];

export const availableTemplates = (deps: Pick<Kernel, 'policy'>) =>
  CAMPAIGN_TEMPLATES.filter((t) => deps.policy.purposes[t.topic]?.directMarketing === true);

export const AUDIENCES = {
  customers: { name: 'Customers (people at client businesses)', kinds: ['client_user'] },
  subscribers: { name: 'Newsletter subscribers', kinds: ['subscriber'] },
  everyone: { name: 'Customers and subscribers', kinds: ['client_user', 'subscriber'] },
} as const;
export type AudienceId = keyof typeof AUDIENCES;

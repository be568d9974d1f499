const dateTime = new Intl.DateTimeFormat(undefined, { dateStyle: 'medium', timeStyle: 'short' });
const date = new Intl.DateTimeFormat(undefined, { dateStyle: 'medium' });

const parse = (value: string): Date | null => {
  const parsed = new Date(value);
  return Number.isNaN(parsed.getTime()) ? null : parsed;
};

export const formatDateTime = (value: string): string => {
  const parsed = parse(value);
  return parsed ? dateTime.format(parsed) : value;
};

export const formatDate = (value: string): string => {
  const parsed = parse(value);
  return parsed ? date.format(parsed) : value;
};

export const initials = (name: string): string =>
  name
    .split(/\s+/)
    .filter(Boolean)
    .slice(0, 2)
    .map((part) => part.charAt(0).toUpperCase())
    .join('') || '?';

const PURPOSES: Record<string, string> = {
  contact_note: 'Contact note',
  message_taking: 'Message taking',
  mail_handling: 'Mail handling',
};

export const purposeLabel = (purpose: string): string =>
  PURPOSES[purpose] ?? purpose.replace(/[_-]+/g, ' ').replace(/^\w/, (c) => c.toUpperCase());

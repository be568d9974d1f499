import type { ApiError } from '../api.ts';
import { Alert } from '../ui/alert.tsx';
import { Button } from '../ui/button.tsx';

const TITLES: Partial<Record<ApiError['code'], string>> = {
  FORBIDDEN: 'You do not have access to this',
  PURPOSE_REFUSED: 'This use of personal data is not allowed',
  NOT_FOUND: 'Not found',
  NETWORK: 'Connection problem',
  UNAVAILABLE: 'Custodian is briefly unavailable',
};

/** The standard way a screen says its data could not load, with a way to try again. */
export const ErrorPanel = ({ error, onRetry }: { error: ApiError; onRetry?: () => void }) => (
  <Alert
    tone="danger"
    title={TITLES[error.code] ?? 'Something went wrong'}
    actions={
      onRetry && error.code !== 'FORBIDDEN' && error.code !== 'NOT_FOUND' ? (
        <Button size="sm" onClick={onRetry}>
          Try again
        </Button>
      ) : null
    }
  >
    {error.message}
  </Alert>
);

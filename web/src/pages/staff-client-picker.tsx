import { useEffect, useId, useRef, useState } from 'react';
import { type Account, api } from '../api.ts';
import { Field, Input } from '../ui/field.tsx';
import { asApiError, useResource } from '../use-resource.ts';

/**
 * Type-ahead client picker: a native input with a datalist, so typing filters and arrow keys choose, with no
 * custom listbox to get wrong for screen readers. The account list is small; it is filtered in the browser.
 */
export const ClientPicker = ({
  value,
  onChange,
  autoFocus,
  error,
}: {
  value: Account | null;
  onChange: (account: Account | null) => void;
  autoFocus?: boolean;
  error?: string | undefined;
}) => {
  const listId = useId();
  const accounts = useResource(() => api.listAccounts(), []);
  const [text, setText] = useState(value?.name ?? '');

  const input = useRef<HTMLInputElement>(null);

  // After the shell has moved focus to the new page (its effect runs after ours), take it for the first field.
  useEffect(() => {
    if (!autoFocus) return;
    const frame = requestAnimationFrame(() => input.current?.focus());
    return () => cancelAnimationFrame(frame);
  }, [autoFocus]);

  const pick = (typed: string) => {
    setText(typed);
    const list = accounts.data ?? [];
    const exact = list.find((a) => a.name.toLowerCase() === typed.trim().toLowerCase());
    const prefix = list.filter((a) => a.name.toLowerCase().startsWith(typed.trim().toLowerCase()));
    onChange(exact ?? (typed.trim() && prefix.length === 1 ? (prefix[0] ?? null) : null));
  };

  // A fast typist can finish the name before the list arrives: resolve what was typed once it does.
  // biome-ignore lint/correctness/useExhaustiveDependencies: runs only when the list arrives
  useEffect(() => {
    if (accounts.data && text.trim() && !value) pick(text);
  }, [accounts.data]);

  const loadError = accounts.status === 'error' ? asApiError(accounts.error).message : undefined;
  return (
    <Field
      label="Client"
      error={error ?? loadError}
      hint={value ? `Taking this for ${value.name}.` : 'Start typing the business name; pick it from the list.'}
    >
      {(control) => (
        <>
          <Input
            {...control}
            name="client"
            list={listId}
            autoComplete="off"
            ref={input}
            value={text}
            onChange={(event) => pick(event.target.value)}
          />
          <datalist id={listId}>
            {(accounts.data ?? []).map((account) => (
              <option key={account.id} value={account.name} />
            ))}
          </datalist>
        </>
      )}
    </Field>
  );
};

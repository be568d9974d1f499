/**
 * @module Legal holds on the people a request covers: placing one (basis, a reason the person may read, a review date
 * at most seven years ahead) keeps their data from erasure; lifting one lets erasure reach it again. Also lifting a
 * restriction the person asked for, which e-mails them first (Art. 18(3)).
 */
import { useEffect, useState } from 'react';
import { HOLD_BASES, type HoldBasis, type LegalHold, type RightsRequest } from '../../rights-api.ts';
import { Field, Input, Select, Textarea } from '../../ui/field.tsx';
import { useToast } from '../../ui/toast.tsx';
import { formatCivil, type RightsScope } from './rights-shared.tsx';
import { StepDialog } from './step-dialog.tsx';

export const HOLD_BASIS_LABEL: Record<HoldBasis, string> = {
  legal_claims: 'Legal claims',
  legal_obligation: 'A legal obligation',
  staff_hold: 'Staff hold',
};

const HOLD_BASIS_HINT: Record<HoldBasis, string> = {
  legal_claims: 'Needed to establish, exercise or defend a legal claim.',
  legal_obligation: 'The law requires the data to be kept.',
  staff_hold: 'Kept on purpose by staff, for the reason you give.',
};

const MAX_REVIEW_YEARS = 7;

const isoDay = (date: Date): string => date.toISOString().slice(0, 10);

const reviewBounds = (): { min: string; max: string; suggested: string } => {
  const now = new Date();
  const day = (years: number, days: number) =>
    isoDay(new Date(Date.UTC(now.getUTCFullYear() + years, now.getUTCMonth(), now.getUTCDate() + days)));
  return { min: day(0, 1), max: day(MAX_REVIEW_YEARS, 0), suggested: day(1, 0) };
};

export const PlaceHoldDialog = ({
  open,
  scope,
  subjectId,
  personLabel,
  onClose,
  onDone,
}: {
  open: boolean;
  scope: RightsScope;
  subjectId: string;
  personLabel: string;
  onClose: () => void;
  onDone: () => void;
}) => {
  const bounds = reviewBounds();
  const [basis, setBasis] = useState<HoldBasis>('legal_claims');
  const [reason, setReason] = useState('');
  const [reviewOn, setReviewOn] = useState(bounds.suggested);
  const toast = useToast();

  useEffect(() => {
    if (!open) {
      setBasis('legal_claims');
      setReason('');
      setReviewOn(reviewBounds().suggested);
    }
  }, [open]);

  const dateOk = reviewOn >= bounds.min && reviewOn <= bounds.max;

  return (
    <StepDialog
      open={open}
      title={`Place a legal hold on ${personLabel}`}
      description={
        <p>
          Held data is kept when an erasure is carried out, and the person is told what was kept and why. Review the
          hold by the date you set; it never lasts more than {MAX_REVIEW_YEARS} years without review.
        </p>
      }
      submitLabel="Place hold"
      canSubmit={reason.trim().length >= 10 && dateOk}
      onClose={onClose}
      onSubmit={async () => {
        await scope.api.placeHold({ subjectId, basis, reason: reason.trim(), reviewOn });
        toast.show('Legal hold placed');
        onDone();
      }}
    >
      <div className="form-row">
        <Field label="Basis" hint={HOLD_BASIS_HINT[basis]}>
          {(control) => (
            <Select {...control} data-autofocus value={basis} onChange={(e) => setBasis(e.target.value as HoldBasis)}>
              {HOLD_BASES.map((b) => (
                <option key={b} value={b}>
                  {HOLD_BASIS_LABEL[b]}
                </option>
              ))}
            </Select>
          )}
        </Field>
        <Field
          label="Review by"
          hint={`Between ${formatCivil(bounds.min)} and ${formatCivil(bounds.max)}.`}
          error={dateOk ? undefined : 'Choose a date after today, within seven years'}
        >
          {(control) => (
            <Input
              {...control}
              type="date"
              min={bounds.min}
              max={bounds.max}
              value={reviewOn}
              onChange={(e) => setReviewOn(e.target.value)}
            />
          )}
        </Field>
      </div>
      <Field
        label="Reason"
        hint="The person may read this if they ask for erasure: say why, without anyone else's details."
      >
        {(control) => (
          <Textarea {...control} rows={3} maxLength={500} value={reason} onChange={(e) => setReason(e.target.value)} />
        )}
      </Field>
    </StepDialog>
  );
};

export const LiftHoldDialog = ({
  hold,
  scope,
  onClose,
  onDone,
}: {
  hold: LegalHold | null;
  scope: RightsScope;
  onClose: () => void;
  onDone: () => void;
}) => {
  const toast = useToast();
  return (
    <StepDialog
      open={hold !== null}
      tone="danger"
      title="Lift this legal hold?"
      description={
        <p>
          {hold ? `“${hold.reason}”. ` : ''}Once lifted, an erasure will delete the data it kept. The hold stays in the
          audit log.
        </p>
      }
      submitLabel="Lift hold"
      submitVariant="danger"
      onClose={onClose}
      onSubmit={async () => {
        if (!hold) return;
        await scope.api.liftHold(hold.id);
        toast.show('Legal hold lifted');
        onDone();
      }}
    />
  );
};

/** Shown on an answered restriction request while its restriction is in force. */
export const canLiftRestriction = (request: RightsRequest): boolean =>
  request.kind === 'restriction' &&
  request.status === 'completed' &&
  !request.events.some((e) => e.event === 'restriction_lifted');

export const LiftRestrictionDialog = ({
  open,
  scope,
  request,
  onClose,
  onDone,
}: {
  open: boolean;
  scope: RightsScope;
  request: RightsRequest;
  onClose: () => void;
  onDone: () => void;
}) => {
  const toast = useToast();
  return (
    <StepDialog
      open={open}
      tone="danger"
      title="Lift the restriction?"
      description={
        <p>
          The person is e-mailed first that their data will be used again; only once that e-mail has gone is the
          restriction lifted for everyone this request covers. If the e-mail fails, nothing changes and you can try
          again.
        </p>
      }
      submitLabel="Tell them and lift"
      submitVariant="danger"
      onClose={onClose}
      onSubmit={async () => {
        const { lifted } = await scope.api.liftRestriction(request.id);
        toast.show(lifted === 1 ? 'Restriction lifted for 1 record' : `Restriction lifted for ${lifted} records`);
        onDone();
      }}
    />
  );
};

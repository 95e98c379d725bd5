'use client';
import { useId, useState } from 'react';
import { ConfirmAction, type ConfirmLabels } from './confirm-action';
import { REASONS } from './revocation-reasons';


/** Revoke one device or all of a member's devices, with a reason, after confirmation. */
export function RevokeControl({
  target,
  csrf,
  labels,
  reasonLabel,
  reasonNames,
  outcome,
  testId,
}: {
  target: { deviceId: string } | { memberId: string };
  csrf: string;
  labels: ConfirmLabels;
  reasonLabel: string;
  reasonNames: Record<(typeof REASONS)[number], string>;
  outcome: string;
  testId?: string;
}) {
  const id = useId();
  const [reason, setReason] = useState<(typeof REASONS)[number]>('lost_or_stolen');
  return (
    <ConfirmAction
      url="/api/admin/devices/revoke"
      csrf={csrf}
      labels={labels}
      testId={testId}
      body={{ ...target, reason }}
      doneMessage={outcome.replace('{count}', '{revoked}').replace('{version}', '{listVersion}')}
      extra={
        <label htmlFor={`${id}-reason`}>
          {reasonLabel}{' '}
          <select id={`${id}-reason`} value={reason} onChange={(e) => setReason(e.target.value as (typeof REASONS)[number])}>
            {REASONS.map((value) => (
              <option key={value} value={value}>
                {reasonNames[value]}
              </option>
            ))}
          </select>
        </label>
      }
    />
  );
}

/** Helpers shared by the Sender Key specs. */
import {
  groupEncrypt,
  serializeSenderKeyReceiverState,
  type SenderKeyReceiverState,
  type SenderKeyState,
} from '../src/sender-keys';
import { text } from './sessions';

/** The serialized receiver state, as a plain array for deep comparison. */
export function snapshot(state: SenderKeyReceiverState): number[] {
  return Array.from(serializeSenderKeyReceiverState(state).exposeBytes());
}

/** `count` group messages, the i-th reading `${label}${i}`. */
export async function sendMany(
  state: SenderKeyState,
  count: number,
  label = 'g',
): Promise<{ state: SenderKeyState; messages: Uint8Array[] }> {
  const messages: Uint8Array[] = [];
  let current = state;
  for (let i = 0; i < count; i++) {
    const result = await groupEncrypt(current, text(`${label}${i}`));
    current = result.state;
    messages.push(result.message);
  }
  return { state: current, messages };
}

import { GatehouseError } from '../errors.js';
import { maskSecretsIn } from './dsn.js';

/**
 * The configuration is unusable; `messages` names each offending key, its value and what is
 * allowed. Every DSN-shaped word in them is masked, whichever key or file it came from.
 */
export class ConfigError extends GatehouseError {
  readonly messages: readonly string[];

  constructor(messages: readonly string[]) {
    const masked = messages.map(maskSecretsIn);
    super('invalid_argument', `invalid configuration:\n${masked.map((m) => `  ${m}`).join('\n')}`);
    this.name = 'ConfigError';
    this.messages = masked;
  }
}

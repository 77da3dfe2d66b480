import { GatehouseError } from '../errors.js';

/** The configuration is unusable; `messages` names each offending key, its value and what is allowed. */
export class ConfigError extends GatehouseError {
  constructor(readonly messages: readonly string[]) {
    super('invalid_argument', `invalid configuration:\n${messages.map((m) => `  ${m}`).join('\n')}`);
    this.name = 'ConfigError';
  }
}

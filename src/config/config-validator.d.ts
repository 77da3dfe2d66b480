import type { ErrorObject } from 'ajv';

/**
 * schema.json compiled to code by scripts/build-config-validator.js (part of `npm run build`),
 * which writes the module next to the compiled validate.js. It applies the schema's defaults in place.
 */
export declare const validate: ((data: unknown) => boolean) & { errors?: ErrorObject[] | null };

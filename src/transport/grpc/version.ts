import type { GrpcUnaryMethod } from './method.js';

/** `VersionService.GetVersion`, served on the read, write and OPL ports as Keto does. */
export function versionMethod(version: string): GrpcUnaryMethod {
  return {
    path: '/ory.keto.relation_tuples.v1alpha2.VersionService/GetVersion',
    requestType: 'ory.keto.relation_tuples.v1alpha2.GetVersionRequest',
    responseType: 'ory.keto.relation_tuples.v1alpha2.GetVersionResponse',
    handle: async () => ({ version }),
  };
}

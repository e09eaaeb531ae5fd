/** The pure cluster domain: spec, validation and plan. No I/O, no SDK. */
export * from './plan';
export * from './spec';
export { parseClusterSpec, type ParseClusterSpecResult, type SpecError } from './validate';

/** The pure cluster domain: spec, validation and plan. No I/O, no SDK. */
export * from './plan';
export { findRegion, normalizeLocation, type Region, regions } from './regions';
export * from './spec';
export { formatPath, parseClusterSpec, type ParseClusterSpecResult, type SpecError } from './validate';

export * from './platform-monitoring';
export * from './signal';

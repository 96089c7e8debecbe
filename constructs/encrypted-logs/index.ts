export * from './encrypted-logs';

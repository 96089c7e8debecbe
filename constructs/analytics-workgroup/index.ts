export * from './analytics-workgroup';

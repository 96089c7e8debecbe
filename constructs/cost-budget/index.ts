export * from './cost-budget';

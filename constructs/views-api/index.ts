export * from './api-definition';
export * from './mapping-templates';
export * from './views-api';
export * from './views-api-props';

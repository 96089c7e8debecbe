export * from './emr-runtime';
export * from './emr-runtime-props';

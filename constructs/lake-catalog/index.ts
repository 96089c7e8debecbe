export * from './lake-catalog';

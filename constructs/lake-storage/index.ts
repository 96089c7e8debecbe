export * from './lake-storage';
export * from './lake-storage-props';

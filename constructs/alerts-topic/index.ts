export * from './alerts-topic';

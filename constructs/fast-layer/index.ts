export * from './event-stream';
export * from './event-stream-props';
export * from './realtime-views';
export * from './realtime-views-props';

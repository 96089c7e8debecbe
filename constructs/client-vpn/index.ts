export * from './platform-client-vpn';
export * from './platform-client-vpn-props';

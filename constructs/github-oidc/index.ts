export * from './delivery-grants';
export * from './github-oidc';
export * from './github-oidc-props';

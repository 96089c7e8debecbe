// Jest snapshot serializer: asset hashes change with every dependency bump and say nothing about
// the infrastructure, so they are masked. Everything else in a template is compared as is.
const HASH = /[0-9a-f]{64}/g;
module.exports = {
  test: (value) => typeof value === 'string' && /[0-9a-f]{64}/.test(value),
  serialize: (value) => JSON.stringify(value.replace(HASH, '<asset-hash>')),
};

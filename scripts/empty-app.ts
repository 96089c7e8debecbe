// The toolchain's floor for `make bench`: the same CLI, tsx and aws-cdk-lib, one empty stack.
import { App, Stack } from 'aws-cdk-lib';

new Stack(new App(), 'Empty', { env: { account: '111111111111', region: 'eu-north-1' } });

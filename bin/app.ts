#!/usr/bin/env node
import { App } from 'aws-cdk-lib';
import { buildPlatform } from '../lib/app';
import { exitOnConfigError } from '../lib/config';

// A bad configuration prints its problems, without a stack trace, and fails the synth.
exitOnConfigError(() => buildPlatform(new App()));

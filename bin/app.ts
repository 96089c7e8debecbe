#!/usr/bin/env node
import { App } from 'aws-cdk-lib';
import { buildPlatform } from '../lib/app';

buildPlatform(new App());

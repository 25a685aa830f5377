import type { Command } from '../cli/command.js';
import { applyCommand } from './apply.command.js';
import { auditCheckpointCommand } from './audit-checkpoint.command.js';
import { auditCommand } from './audit.command.js';
import { auditVerifyCommand } from './audit-verify.command.js';
import { clustersCommand, labelClusterCommand, registerClusterCommand } from './clusters.command.js';
import { completionCommand } from './completion.command.js';
import { configCommands } from './config.command.js';
import { dashboardCommand } from './dashboard.command.js';
import { versionCommand } from './version.command.js';
import { fleetGetCommand, fleetHistoryCommand, fleetListCommand, fleetPlanCommand } from './fleet.command.js';
import { fleetOperationCommands, fleetReleaseCommand, fleetStatusCommand } from './fleet-release.command.js';
import {
  breakGlassCommand,
  breakGlassConfirmCommand,
  breakGlassListCommand,
  breakGlassRevokeCommand,
  freezeGetCommand,
  freezeListCommand,
} from './freeze.command.js';
import { getExperimentCommand, listExperimentsCommand, retryExperimentCommand } from './experiment.command.js';
import { getRolloutCommand } from './get.command.js';
import { historyCommand } from './history.command.js';
import { lintCommand } from './lint.command.js';
import { listRolloutsCommand } from './list.command.js';
import { notificationCommands } from './notifications.command.js';
import { operationCommands } from './operations.command.js';
import { statusCommand } from './status.command.js';
import { terminateAnalysisRunCommand, terminateExperimentCommand } from './terminate.command.js';

/** Every command of the program, in the order `--help` lists them. */
export const COMMANDS: readonly Command[] = [
  clustersCommand,
  registerClusterCommand,
  labelClusterCommand,
  applyCommand,
  listRolloutsCommand,
  getRolloutCommand,
  listExperimentsCommand,
  getExperimentCommand,
  ...operationCommands,
  terminateAnalysisRunCommand,
  terminateExperimentCommand,
  retryExperimentCommand,
  statusCommand,
  historyCommand,
  fleetListCommand,
  fleetPlanCommand,
  fleetGetCommand,
  fleetReleaseCommand,
  ...fleetOperationCommands,
  fleetStatusCommand,
  fleetHistoryCommand,
  freezeListCommand,
  freezeGetCommand,
  breakGlassCommand,
  breakGlassListCommand,
  breakGlassConfirmCommand,
  breakGlassRevokeCommand,
  ...notificationCommands,
  auditCommand,
  auditVerifyCommand,
  auditCheckpointCommand,
  lintCommand,
  ...configCommands,
  dashboardCommand,
  versionCommand,
  completionCommand(() => COMMANDS),
];

-- A changed observation the engine has not yet reconciled: the sweep asks for such rollouts again, so that a trigger
-- Redis lost (or a reconcile held while the cluster counted as disconnected) is not waited for until the next change.
ALTER TABLE "Rollout" ADD COLUMN "observationPending" BOOLEAN NOT NULL DEFAULT false;

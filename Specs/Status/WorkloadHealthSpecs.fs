/// `<Workload>Available` from observed workloads: every reason and upstream's exact messages.
module Ztwim.Specs.Status.WorkloadHealthSpecs

open Expecto
open Ztwim.Kernel
open Ztwim.Kernel.Status
open Ztwim.Specs.Status.StatusExamples

let private n (i: int) = Json.num i

/// A workload with generation/observedGeneration, spec members and status members.
let private workload (generation: int) (observed: int) (spec: (string * int) list) (status: (string * int) list) =
    Json.obj
        [ "metadata", Json.obj [ "generation", n generation ]
          "spec", Json.obj (spec |> List.map (fun (k, v) -> k, n v))
          "status",
          Json.obj (
              ("observedGeneration", n observed)
              :: (status |> List.map (fun (k, v) -> k, n v))
          ) ]

let private ns = "zero-trust-workload-identity-manager"

let private sts status = workload 2 2 [ "replicas", 1 ] status

let private deploy status = workload 1 1 [ "replicas", 2 ] status

let private ds status = workload 1 1 [] status

let private dsAll =
    [ "desiredNumberScheduled", 3
      "numberReady", 3
      "updatedNumberScheduled", 3
      "numberAvailable", 3 ]

let private deployAll =
    [ "readyReplicas", 2; "updatedReplicas", 2; "availableReplicas", 2 ]

let private with' (k: string) (v: int) (xs: (string * int) list) =
    xs |> List.map (fun (a, b) -> if a = k then a, v else a, b)

let private rows =
    let c w name observed () =
        WorkloadHealth.condition w ns name observed

    [ row
          "StatefulSet healthy"
          (c StatefulSet "spire-server" (Some(sts [ "readyReplicas", 1; "updatedReplicas", 1 ])))
          "StatefulSetAvailable"
          T
          "StatefulSetReady"
          "StatefulSet spire-server is healthy with 1/1 replicas ready"
      row
          "StatefulSet missing"
          (c StatefulSet "spire-server" None)
          "StatefulSetAvailable"
          F
          "StatefulSetNotFound"
          "Failed to get StatefulSet zero-trust-workload-identity-manager/spire-server: statefulsets.apps \"spire-server\" not found"
      row
          "StatefulSet rolling out"
          (c StatefulSet "spire-server" (Some(workload 3 2 [ "replicas", 1 ] [ "readyReplicas", 1 ])))
          "StatefulSetAvailable"
          F
          "StatefulSetNotReady"
          "StatefulSet update in progress (generation 3, observed 2)"
      row
          "StatefulSet pods not ready"
          (c StatefulSet "spire-server" (Some(sts [ "updatedReplicas", 1 ])))
          "StatefulSetAvailable"
          F
          "StatefulSetNotReady"
          "StatefulSet has 0/1 replicas ready"
      row
          "StatefulSet pods not updated"
          (c StatefulSet "spire-server" (Some(sts [ "readyReplicas", 1 ])))
          "StatefulSetAvailable"
          F
          "StatefulSetNotReady"
          "StatefulSet has 0/1 replicas updated"
      row
          "StatefulSet without replicas"
          (c StatefulSet "spire-server" (Some(workload 1 1 [] [])))
          "StatefulSetAvailable"
          F
          "StatefulSetNotReady"
          "StatefulSet is nil or has no replicas configured"
      row
          "DaemonSet healthy"
          (c DaemonSet "spire-agent" (Some(ds dsAll)))
          "DaemonSetAvailable"
          T
          "DaemonSetReady"
          "DaemonSet spire-agent is healthy with 3/3 pods ready"
      row
          "DaemonSet missing"
          (c DaemonSet "spire-agent" None)
          "DaemonSetAvailable"
          F
          "DaemonSetNotFound"
          "Failed to get DaemonSet zero-trust-workload-identity-manager/spire-agent: daemonsets.apps \"spire-agent\" not found"
      row
          "DaemonSet with no pods scheduled"
          (c DaemonSet "spire-agent" (Some(ds [])))
          "DaemonSetAvailable"
          F
          "DaemonSetNotReady"
          "DaemonSet has no pods scheduled"
      row
          "DaemonSet rolling out"
          (c DaemonSet "spire-agent" (Some(workload 2 1 [] dsAll)))
          "DaemonSetAvailable"
          F
          "DaemonSetNotReady"
          "DaemonSet update in progress (generation 2, observed 1)"
      row
          "DaemonSet pods not ready"
          (c DaemonSet "spire-agent" (Some(ds (with' "numberReady" 1 dsAll))))
          "DaemonSetAvailable"
          F
          "DaemonSetNotReady"
          "DaemonSet has 1/3 pods ready"
      row
          "DaemonSet pods not updated"
          (c DaemonSet "spire-agent" (Some(ds (with' "updatedNumberScheduled" 2 dsAll))))
          "DaemonSetAvailable"
          F
          "DaemonSetNotReady"
          "DaemonSet has 2/3 pods updated"
      row
          "DaemonSet pods not available"
          (c DaemonSet "spire-agent" (Some(ds (with' "numberAvailable" 0 dsAll))))
          "DaemonSetAvailable"
          F
          "DaemonSetNotReady"
          "DaemonSet has 0/3 pods available"
      row
          "DaemonSet pods unavailable"
          (c DaemonSet "spire-agent" (Some(ds (("numberUnavailable", 1) :: dsAll))))
          "DaemonSetAvailable"
          F
          "DaemonSetNotReady"
          "DaemonSet has 1 pods unavailable"
      row
          "Deployment healthy"
          (c Deployment "spire-spiffe-oidc-discovery-provider" (Some(deploy deployAll)))
          "DeploymentAvailable"
          T
          "DeploymentReady"
          "Deployment spire-spiffe-oidc-discovery-provider is healthy with 2/2 replicas ready"
      row
          "Deployment missing"
          (c Deployment "spire-spiffe-oidc-discovery-provider" None)
          "DeploymentAvailable"
          F
          "DeploymentNotFound"
          "Failed to get Deployment zero-trust-workload-identity-manager/spire-spiffe-oidc-discovery-provider: deployments.apps \"spire-spiffe-oidc-discovery-provider\" not found"
      row
          "Deployment rolling out"
          (c Deployment "d" (Some(workload 5 4 [ "replicas", 2 ] deployAll)))
          "DeploymentAvailable"
          F
          "DeploymentNotReady"
          "Deployment update in progress (generation 5, observed 4)"
      row
          "Deployment replicas not ready"
          (c Deployment "d" (Some(deploy (with' "readyReplicas" 1 deployAll))))
          "DeploymentAvailable"
          F
          "DeploymentNotReady"
          "Deployment has 1/2 replicas ready"
      row
          "Deployment replicas not updated"
          (c Deployment "d" (Some(deploy (with' "updatedReplicas" 0 deployAll))))
          "DeploymentAvailable"
          F
          "DeploymentNotReady"
          "Deployment has 0/2 replicas updated"
      row
          "Deployment replicas not available"
          (c Deployment "d" (Some(deploy (with' "availableReplicas" 1 deployAll))))
          "DeploymentAvailable"
          F
          "DeploymentNotReady"
          "Deployment has 1/2 replicas available"
      row
          "Deployment replicas unavailable"
          (c Deployment "d" (Some(deploy (("unavailableReplicas", 1) :: deployAll))))
          "DeploymentAvailable"
          F
          "DeploymentNotReady"
          "Deployment has 1 replicas unavailable"
      row
          "Deployment without replicas"
          (c Deployment "d" (Some(workload 1 1 [] deployAll)))
          "DeploymentAvailable"
          F
          "DeploymentNotReady"
          "Deployment is nil or has no replicas configured" ]

[<Tests>]
let tests = table "Status/workload health" rows

/// Our CRDs (manifests/crds) on a real API server: installed by server-side apply under one field manager, forced,
/// so that every suite sharing a control plane installs them the same way and again without harm.
module Ztwim.Specs.Conformance.OurCrds

open System
open System.IO
open System.Threading.Tasks
open k8s
open k8s.Models
open Ztwim.Adapters.Cluster
open Ztwim.Specs.E2E.E2EProcesses
open Ztwim.Specs.Conformance.ClusterUnderTest

/// Applies every CRD of manifests/crds, then waits until the API serves each of their kinds.
let install (kubernetes: Kubernetes) (client: IClusterClient) =
    task {
        for file in
            Directory.GetFiles(Path.Combine(repoRoot (), "manifests", "crds"), "*.yaml")
            |> Array.sort do
            for o in KubernetesYaml.LoadAllFromString(File.ReadAllText file) do
                match o with
                | :? V1CustomResourceDefinition as crd ->
                    let! _ =
                        kubernetes.ApiextensionsV1.PatchCustomResourceDefinitionAsync(
                            V1Patch(KubernetesJson.Serialize crd, V1Patch.PatchType.ApplyPatch),
                            crd.Metadata.Name,
                            fieldManager = "ztwim-crds",
                            force = Nullable true
                        )

                    ()
                | _ -> ()

        for t in [ yield! ResourceTypes.OperatorCrs; clusterSpiffeIds ] do
            do!
                poll (seconds 20.0) (TimeSpan.FromMilliseconds 100.0) (sprintf "the API to serve %O" t) (fun () ->
                    task {
                        let! list = client.ListAsync(t, null, null, ct)
                        return list.IsOk
                    })
    }

namespace Ztwim.Kernel.Operands.Server

open Ztwim.Kernel
open Ztwim.Kernel.Api
open Ztwim.Kernel.Render

/// What every SpireServer resource is rendered from: the CR, the ZTWIM spec and the Mode.
type Scope =
    { Owner: Owner
      Spec: SpireServerSpec
      Ztwim: ZtwimSpec
      Mode: Mode }

/// The names, labels and metadata the SpireServer resources share.
[<RequireQualifiedAccess>]
module Scope =

    /// The scope of a SpireServer CR.
    let ofResource (cr: Resource<SpireServerSpec>) (ztwim: ZtwimSpec) (mode: Mode) =
        { Owner =
            { Kind = Kind.SpireServer
              Uid = cr.Metadata.Uid }
          Spec = cr.Spec
          Ztwim = ztwim
          Mode = mode }

    let serverName = "spire-server"
    let controllerManagerName = "spire-controller-manager"
    let webhookName = "spire-controller-manager-webhook"

    /// The Secret the service CA makes for the federation endpoint from the spire-server Service annotation.
    let servingCertSecret = "spire-server-serving-cert"

    /// The SPIRE server's label set (LS): the CR's labels, then the six standard keys.
    let serverLabels (s: Scope) =
        Labels.standard s.Spec.Common.Labels Labels.spireServer

    /// The controller manager's label set (LCM) with the CR's labels.
    let controllerManagerLabels (s: Scope) =
        Labels.standard s.Spec.Common.Labels Labels.controllerManager

    /// The SPIRE server's name, instance and component: what selects the StatefulSet's pod.
    let serverSelector = Labels.selector Labels.spireServer

    /// A namespaced object in the operator namespace, owned by the SpireServer CR.
    let namespaced (s: Scope) apiVersion kind name labels annotations (body: (string * Json) list) =
        Manifest.create apiVersion kind (Some s.Mode.Namespace) name labels annotations (Some s.Owner) body

    /// A cluster-scoped object owned by the SpireServer CR.
    let clusterScoped (s: Scope) apiVersion kind name labels (body: (string * Json) list) =
        Manifest.create apiVersion kind None name labels Map.empty (Some s.Owner) body

    /// A string map as a JSON object.
    let stringMap (m: Map<string, string>) =
        Json.Object(m |> Map.map (fun _ v -> Json.String v))

    /// A list of strings as a JSON array.
    let strings (xs: string list) = Json.Array(xs |> List.map Json.String)

    /// The federation's servingCert source, when the bundle endpoint's httpsWeb uses one (whatever the profile).
    let servingCert (s: Scope) =
        s.Spec.Federation
        |> Option.bind (fun f -> f.BundleEndpoint.HttpsWeb)
        |> Option.bind (function
            | ServingCert c -> Some c
            | Acme _ -> None)

    /// The Secret the federation Route takes its certificate from, when one is named.
    let externalSecretRef (s: Scope) =
        servingCert s |> Option.bind (fun c -> c.ExternalSecretRef)

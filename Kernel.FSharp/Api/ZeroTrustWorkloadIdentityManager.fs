namespace Ztwim.Kernel.Api

open Ztwim.Kernel

/// ZeroTrustWorkloadIdentityManager `cluster`: the identity of the trust domain every operand shares.
/// All three fields are immutable once set.
type ZtwimSpec =
    { TrustDomain: string
      ClusterName: string
      BundleConfigMap: string
      Common: CommonConfig }

/// Reading and printing the ZeroTrustWorkloadIdentityManager spec.
[<RequireQualifiedAccess>]
module ZtwimSpec =

    let defaultBundleConfigMap = "spire-bundle"

    let trustDomainPattern = "^[a-z0-9]([a-z0-9\\-\\.]*[a-z0-9])?$"

    let clusterNamePattern =
        "^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$"

    let bundleConfigMapPattern = "^[a-z0-9]([-a-z0-9.]*[a-z0-9])?$"

    let read (spec: Node) : Validated<ZtwimSpec> =
        let at name = Read.field name spec

        validated {
            let! trustDomain =
                Read.string (at "trustDomain")
                |> Read.minLength (at "trustDomain") 1
                |> Read.maxLength (at "trustDomain") 255
                |> Read.pattern (at "trustDomain") trustDomainPattern
                |> Read.required (at "trustDomain")

            and! clusterName =
                Read.string (at "clusterName")
                |> Read.minLength (at "clusterName") 1
                |> Read.maxLength (at "clusterName") 63
                |> Read.pattern (at "clusterName") clusterNamePattern
                |> Read.required (at "clusterName")

            and! bundleConfigMap =
                Read.optionalString (at "bundleConfigMap")
                |> Read.maxLength (at "bundleConfigMap") 253
                |> Read.pattern (at "bundleConfigMap") bundleConfigMapPattern
                |> Read.orDefault defaultBundleConfigMap

            and! common = CommonConfig.read spec

            return
                { TrustDomain = trustDomain
                  ClusterName = clusterName
                  BundleConfigMap = bundleConfigMap
                  Common = common }
        }

    let print (s: ZtwimSpec) =
        Json.objOpt (
            [ "trustDomain", Some(Json.String s.TrustDomain)
              "clusterName", Some(Json.String s.ClusterName)
              "bundleConfigMap", Some(Json.String s.BundleConfigMap) ]
            @ CommonConfig.print s.Common
        )
